// The polling task: getUpdates with increasing offsets feeding the real ingest path,
// a crash between fetch and store neither loses nor doubles an update, and a 409
// (a webhook is set) stops the loop with a clear error.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { alarmAt, drain, runAlarm, type Stub, scheduleOf, stubFor, useFakeClock, withInstance } from "./coordinator-support";
import { textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8201, "poll_bot");
let botId = 0;
let stub: Stub;

type Task = { id: number; status: string; last_error: string | null; attempts: number; progress: Record<string, unknown> | null };

/** Telegram's side: updates not yet confirmed are given again until an offset passes them. */
function serveUpdates(updates: { update_id: number }[], perCall = 2) {
  fake.on("getUpdates", (call) => {
    const offset = typeof call.params.offset === "number" ? call.params.offset : 0;
    return { result: updates.filter((u) => u.update_id >= offset).slice(0, perCall) };
  });
}

const offsets = () => fake.callsOf("getUpdates").map((c) => c.params.offset as number | undefined);
const storedTexts = async (prefix: string) =>
  (
    await env.DB.prepare("SELECT text FROM messages WHERE bot_id = ? AND direction = 'in' AND text LIKE ? ORDER BY message_id")
      .bind(botId, `${prefix}%`)
      .all<{ text: string }>()
  ).results.map((r) => r.text);

async function newPollingTask(): Promise<number> {
  const existing = await env.DB.prepare("SELECT id FROM background_tasks WHERE bot_id = ? AND kind = 'polling'")
    .bind(botId)
    .first<{ id: number }>();
  if (existing) {
    await apiJson(`/api/tasks/${existing.id}`, { method: "DELETE" });
  }
  const created = await apiJson<Task>("/api/tasks", { body: { bot_id: botId, kind: "polling" } });
  expect(created.status).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Poll bot", tg.token)).id;
  stub = stubFor(botId);
});
afterEach(async () => {
  fake.reset();
  await withInstance(stub, (inst) => {
    inst.faults = undefined;
  });
});
afterAll(() => fake.close());

describe("polling", () => {
  it("fetches with increasing offsets and stores every update once", async () => {
    const clock = await useFakeClock(stub);
    const id = await newPollingTask();
    const updates = [1, 2, 3, 4, 5].map((i) => textUpdate(`poll-a ${i}`, { updateId: 500 + i, userId: 9001 }));
    serveUpdates(updates);
    await stub.startTask(id);
    for (let i = 0; i < 4; i++) await runAlarm(stub, clock);
    await stub.drained(botId);

    expect(offsets()).toEqual([undefined, 503, 505, 506]);
    expect(await storedTexts("poll-a")).toEqual(["poll-a 1", "poll-a 2", "poll-a 3", "poll-a 4", "poll-a 5"]);
    const status = await apiJson<Task>(`/telegram/background-tasks/${id}/status/`);
    expect(status.body).toMatchObject({ status: "running", attempts: 0 });
    expect(status.body.progress).toMatchObject({ offset: 506, last_update_id: 505 });
    await stub.stopTask(id);
  });

  it("a crash between fetch and accept loses nothing and doubles nothing", async () => {
    const clock = await useFakeClock(stub);
    const id = await newPollingTask();
    const updates = [1, 2, 3, 4].map((i) => textUpdate(`poll-b ${i}`, { updateId: 600 + i, userId: 9002 }));
    serveUpdates(updates, 4);
    const seen: number[] = [];
    let crashedBefore = false;
    let crashedAfter = false;
    await withInstance(stub, (inst) => {
      inst.faults = {
        // The object dies after the fetch, before 602 is in the inbox...
        beforeAccept(updateId) {
          seen.push(updateId);
          if (updateId === 602 && !crashedBefore) {
            crashedBefore = true;
            throw new Error("simulated crash before accept");
          }
        },
        // ...and once after 603 was accepted but before the offset moved past it.
        afterAccept(updateId) {
          if (updateId === 603 && !crashedAfter) {
            crashedAfter = true;
            throw new Error("simulated crash after accept");
          }
        },
      };
    });
    await stub.startTask(id);

    await runAlarm(stub, clock); // 601 stored, crash at 602
    const afterCrash = await apiJson<Task>(`/telegram/background-tasks/${id}/status/`);
    expect(afterCrash.body).toMatchObject({ status: "running", attempts: 1 });
    expect(afterCrash.body.last_error).toMatch(/simulated crash before accept/);

    await runAlarm(stub, clock); // refetch from 602: 602 accepted, 603 accepted then crash
    await runAlarm(stub, clock); // refetch from 603: a duplicate for the inbox, then 604
    await runAlarm(stub, clock); // nothing left
    const inbox = await stub.drained(botId);
    expect(inbox.depth).toBe(0);
    expect(inbox.counters.duplicates).toBeGreaterThanOrEqual(1);

    expect(offsets()).toEqual([undefined, 602, 603, 605]);
    expect(seen).toEqual([601, 602, 602, 603, 603, 604]);
    expect(await storedTexts("poll-b")).toEqual(["poll-b 1", "poll-b 2", "poll-b 3", "poll-b 4"]);
    const ledger = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM processed_updates WHERE bot_id = ? AND update_id BETWEEN 601 AND 604 AND status = 'done'",
    )
      .bind(botId)
      .first<{ n: number }>();
    expect(ledger?.n).toBe(4);
    const ok = await apiJson<Task>(`/telegram/background-tasks/${id}/status/`);
    expect(ok.body).toMatchObject({ status: "running", attempts: 0, last_error: null });
    await stub.stopTask(id);
  });

  it("stops with a clear error when Telegram answers 409 because a webhook is set", async () => {
    const clock = await useFakeClock(stub);
    const id = await newPollingTask();
    fake.queue("getUpdates", {
      error_code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    await stub.startTask(id);
    await runAlarm(stub, clock);

    const status = await apiJson<Task>(`/telegram/background-tasks/${id}/status/`);
    expect(status.body.status).toBe("failed");
    expect(status.body.last_error).toMatch(/409/);
    expect(status.body.last_error).toMatch(/webhook is set/);
    // Nothing of the task is scheduled again (the inbox's safety net, left by earlier polls, may still be).
    expect(Object.keys(await scheduleOf(stub))).not.toContain(`task:${id}`);
    await drain(stub, clock);
    expect(await alarmAt(stub)).toBeNull();
    expect(fake.callsOf("getUpdates")).toHaveLength(1);
    const row = await env.DB.prepare("SELECT status, last_error FROM background_tasks WHERE id = ?").bind(id).first<Task>();
    expect(row?.status).toBe("failed");
  });
});
