// Broadcasts with a fake clock: Telegram's limits (1 msg/s per chat, 20/min per group,
// 30/s per bot), a 429's retry_after pausing and resuming, blocked chats reported, and
// content notifications to the users who opted in.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeClock } from "../../src/tasks/clock";
import { api, apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { alarmAt, drain, runAlarm, type Stub, stubFor, useFakeClock } from "./coordinator-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8401, "cast_bot");
let botId = 0;
let stub: Stub;
let clock: FakeClock;
let sends: { chat: number; t: number; text: string }[] = [];

const privates = Array.from({ length: 70 }, (_, i) => 20_001 + i);
const groups = Array.from({ length: 30 }, (_, i) => -1_000_001 - i);
const everyone = [...privates, ...groups];

type Report = {
  id: number;
  status: string;
  task_id: number;
  counts: { total: number; sent: number; failed: number; skipped: number; pending: number };
  deliveries: { chat_id: number; status: string; error: string | null }[];
};

async function broadcast(body: Record<string, unknown>): Promise<number> {
  const res = await apiJson<{ id: number }>("/api/broadcasts", { body: { bot_id: botId, ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const report = async (id: number) => (await apiJson<Report>(`/api/broadcasts/${id}`)).body;

/** Most sends in any window of `ms` starting at a send. */
function maxInWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && (sorted[j] as number) < (sorted[i] as number) + ms) j++;
    best = Math.max(best, j - i);
  }
  return best;
}
const timesOf = (chat: number) => sends.filter((s) => s.chat === chat).map((s) => s.t);
const minGap = (times: number[]) => Math.min(...times.slice(1).map((t, i) => t - (times[i] as number)));

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Cast bot", tg.token)).id;
  stub = stubFor(botId);
  const stmts = privates.map((id) =>
    env.DB.prepare("INSERT INTO tg_users (bot_id, user_id, first_name, blocked_bot, preferences) VALUES (?, ?, 'U', ?, ?)").bind(
      botId,
      id,
      id <= 20_002 ? 1 : 0,
      JSON.stringify({ notifications: id <= 20_010 }),
    ),
  );
  const chatRows = everyone.map((id) =>
    env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type) VALUES (?, ?, ?)").bind(botId, id, id > 0 ? "private" : "supergroup"),
  );
  await env.DB.batch([...stmts, ...chatRows]);
});
afterEach(() => {
  fake.reset();
  sends = [];
});
afterAll(() => fake.close());

function recordSends() {
  fake.on("sendMessage", (call) => {
    const chat = Number(call.params.chat_id);
    if (chat === 20_003) return { error_code: 403, description: "Forbidden: bot was blocked by the user" };
    sends.push({ chat, t: clock.now(), text: String(call.params.text) });
    return undefined;
  });
}

describe("broadcasts", () => {
  it("validates input and needs authentication", async () => {
    expect((await api("/api/broadcasts", { token: null, body: { bot_id: botId, text: "x" } })).status).toBe(401);
    expect((await apiJson("/api/broadcasts", { body: { bot_id: botId, text: "" } })).status).toBe(400);
    expect((await apiJson("/api/broadcasts", { body: { bot_id: botId, text: "x".repeat(4097) } })).status).toBe(400);
    expect((await apiJson("/api/broadcasts", { body: { bot_id: botId, text: "x", chat_ids: [1], audience: "all" } })).status).toBe(400);
    expect((await apiJson("/api/broadcasts", { body: { bot_id: 999_999, text: "x" } })).status).toBe(404);
    expect((await apiJson("/api/broadcasts/999999")).status).toBe(404);
  });

  it("sends to 100 chats within the bot-wide limit, skips and reports blocked chats", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    const id = await broadcast({ text: "Hello, everyone", audience: "all" });
    const t0 = clock.now();
    expect((await report(id)).counts).toMatchObject({ total: 100, pending: 100 });
    await drain(stub, clock);

    const r = await report(id);
    expect(r.status).toBe("done");
    expect(r.counts).toEqual({ total: 100, sent: 97, failed: 1, skipped: 2, pending: 0, sending: 0, unknown: 0 });
    expect(r.deliveries.find((d) => d.chat_id === 20_003)).toMatchObject({ status: "failed", error: expect.stringMatching(/blocked/) });
    expect(r.deliveries.find((d) => d.chat_id === 20_001)).toMatchObject({ status: "skipped", error: expect.stringMatching(/blocked/) });
    // The 403 is remembered: that user is skipped next time.
    const u = await env.DB.prepare("SELECT blocked_bot FROM tg_users WHERE bot_id = ? AND user_id = 20003").bind(botId).first();
    expect(u?.blocked_bot).toBe(1);

    expect(sends).toHaveLength(97);
    expect(new Set(sends.map((s) => s.chat)).size).toBe(97);
    expect(
      maxInWindow(
        sends.map((s) => s.t),
        1000,
      ),
    ).toBeLessThanOrEqual(30);
    // 97 messages at 30/s need a little over three seconds, not much more.
    expect(Math.max(...sends.map((s) => s.t)) - t0).toBeLessThan(5000);
    const task = await apiJson<{ status: string; progress: Record<string, number> }>(`/telegram/background-tasks/${r.task_id}/status/`);
    expect(task.body.status).toBe("completed");
    expect(task.body.progress).toMatchObject({ sent: 97, failed: 1, skipped: 2 });
    const out = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM messages WHERE bot_id = ? AND direction = 'out' AND text = 'Hello, everyone'",
    )
      .bind(botId)
      .first<{ n: number }>();
    expect(out?.n).toBe(97);
  }, 30_000);

  it("three broadcasts at once: no chat gets more than one message per second", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    const ids = [
      await broadcast({ text: "one", chat_ids: everyone }),
      await broadcast({ text: "two", chat_ids: everyone }),
      await broadcast({ text: "three", chat_ids: everyone }),
    ];
    await drain(stub, clock);
    for (const id of ids) expect((await report(id)).counts).toMatchObject({ sent: 97, pending: 0 });
    for (const chat of [20_010, 20_050, -1_000_001, -1_000_030]) {
      expect(timesOf(chat)).toHaveLength(3);
      expect(minGap(timesOf(chat))).toBeGreaterThanOrEqual(1000);
    }
    const perChatGaps = [...new Set(sends.map((s) => s.chat))].map((c) => minGap(timesOf(c)));
    expect(Math.min(...perChatGaps)).toBeGreaterThanOrEqual(1000);
    expect(
      maxInWindow(
        sends.map((s) => s.t),
        1000,
      ),
    ).toBeLessThanOrEqual(30);
  }, 60_000);

  it("a group gets no more than 20 messages per minute", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    const group = -1_000_005;
    const ids: number[] = [];
    for (let i = 0; i < 22; i++) ids.push(await broadcast({ text: `news ${i}`, chat_ids: [group, 20_020] }));
    await drain(stub, clock);
    for (const id of ids) expect((await report(id)).status).toBe("done");
    const g = timesOf(group);
    expect(g).toHaveLength(22);
    expect(maxInWindow(g, 60_000)).toBe(20);
    expect((g[20] as number) - (g[0] as number)).toBeGreaterThanOrEqual(60_000);
    // A private chat is not held to the group limit, only to one per second.
    const p = timesOf(20_020);
    expect(p).toHaveLength(22);
    expect(minGap(p)).toBeGreaterThanOrEqual(1000);
    expect((p[21] as number) - (p[0] as number)).toBeLessThan(60_000);
  }, 60_000);

  it("a 429 with retry_after pauses the broadcast and it resumes afterwards", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    const t0 = clock.now();
    fake.queue("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } });
    const id = await broadcast({ text: "patience", chat_ids: privates.slice(10, 20) });
    expect(await runAlarm(stub, clock)).toBe(true);

    // Paused: nothing sent, the next run is due when Telegram said.
    expect(sends).toHaveLength(0);
    expect(await alarmAt(stub)).toBe(t0 + 30_000);
    const paused = await report(id);
    expect(paused.status).toBe("running");
    expect(paused.counts).toMatchObject({ pending: 10, sent: 0 });

    await drain(stub, clock);
    const r = await report(id);
    expect(r.counts).toMatchObject({ sent: 10, pending: 0, failed: 0 });
    expect(Math.min(...sends.map((s) => s.t))).toBeGreaterThanOrEqual(t0 + 30_000);
  });

  it("stopping a broadcast cancels it; starting it again finishes it", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    fake.queue("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } });
    const id = await broadcast({ text: "stop me", chat_ids: privates.slice(20, 25) });
    await runAlarm(stub, clock);
    const taskId = (await report(id)).task_id;
    await apiJson(`/telegram/background-tasks/${taskId}/stop/`, { method: "POST" });
    expect((await report(id)).status).toBe("cancelled");
    expect(await drain(stub, clock)).toBe(0);
    await apiJson(`/telegram/background-tasks/${taskId}/start/`, { method: "POST" });
    await drain(stub, clock);
    expect((await report(id)).counts).toMatchObject({ sent: 5, pending: 0 });
  });

  it("publishing a content item notifies the users who opted in (once)", async () => {
    clock = await useFakeClock(stub);
    recordSends();
    const item = await env.DB.prepare(
      "INSERT INTO content_items (bot_id, kind, title, url, summary) VALUES (?, 'news', 'Big news', 'https://example.test/n', 'It happened') RETURNING id",
    )
      .bind(botId)
      .first<{ id: number }>();
    const res = await apiJson<{ count: number; broadcasts: { id: number; total: number }[] }>(`/api/content/${item?.id}/notify`, {
      method: "POST",
    });
    expect(res.status).toBe(201);
    // 20001..20010 opted in; 20001, 20002 blocked the bot, and 20003 was found blocked by the first broadcast.
    expect(res.body.broadcasts[0]?.total).toBe(7);
    await drain(stub, clock);
    expect(new Set(sends.map((s) => s.chat))).toEqual(new Set([20_004, 20_005, 20_006, 20_007, 20_008, 20_009, 20_010]));
    expect(sends[0]?.text).toMatch(/Big news/);
    expect((await apiJson(`/api/content/${item?.id}/notify`, { method: "POST" })).status).toBe(409);
    expect((await apiJson("/api/content/999999/notify", { method: "POST" })).status).toBe(404);
  });
});
