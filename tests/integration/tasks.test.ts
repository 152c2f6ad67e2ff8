// Background tasks through the HTTP endpoints and through RPC: start, status, stop,
// no-ops, one loop per task, the alarm tick, and the cron restarting active tasks.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { restartActiveTasks } from "../../src/coordinator/cron";
import { createLogger } from "../../src/lib/log";
import { api, apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { alarmAt, drain, runAlarm, type Stub, scheduleOf, stubFor, useFakeClock } from "./coordinator-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8101, "tasks_bot");
let botId = 0;
let stub: Stub;

type Task = { id: number; bot_id: number; kind: string; status: string; is_active: boolean; last_error: string | null };

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Tasks bot", tg.token)).id;
  stub = stubFor(botId);
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("tasks API", () => {
  it("needs authentication", async () => {
    expect((await api("/api/tasks", { token: null })).status).toBe(401);
    expect((await api("/telegram/background-tasks/1/start/", { method: "POST", token: null })).status).toBe(401);
    expect((await api("/telegram/background-tasks/1/status/", { token: null })).status).toBe(401);
  });

  it("validates the body and answers 404 for unknown tasks and bots", async () => {
    expect((await apiJson("/api/tasks", { body: { bot_id: botId, kind: "nope" } })).status).toBe(400);
    expect((await apiJson("/api/tasks", { body: { bot_id: 999_999, kind: "polling" } })).status).toBe(404);
    expect((await apiJson("/api/tasks", { body: { bot_id: botId, kind: "broadcast" } })).status).toBe(400);
    expect((await api("/telegram/background-tasks/999999/start/", { method: "POST" })).status).toBe(404);
    expect((await api("/telegram/background-tasks/999999/status/")).status).toBe(404);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM background_tasks").first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("creates, starts, reports and stops a task over HTTP; repeats are harmless no-ops", async () => {
    const clock = await useFakeClock(stub);
    const created = await apiJson<Task>("/api/tasks", { body: { bot_id: botId, kind: "polling", name: "poller" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ bot_id: botId, kind: "polling", status: "stopped", is_active: false });
    const id = created.body.id;
    expect((await apiJson("/api/tasks", { body: { bot_id: botId, kind: "polling" } })).status).toBe(409);

    const started = await apiJson<Task>(`/telegram/background-tasks/${id}/start/`, { method: "POST" });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ id, status: "running", is_active: true });
    expect(await alarmAt(stub)).toBe(clock.now());

    // A second start: still one schedule entry, one alarm, one loop.
    const again = await apiJson<Task>(`/telegram/background-tasks/${id}/start/`, { method: "POST" });
    expect(again.body.status).toBe("running");
    expect(Object.keys(await scheduleOf(stub))).toEqual([`task:${id}`]);
    expect(await runAlarm(stub, clock)).toBe(true);
    expect(fake.callsOf("getUpdates")).toHaveLength(1);

    // The list: JSON for an API client, the dashboard page for a browser.
    const listed = await apiJson<{ results: Task[] }>("/telegram/background-tasks/");
    expect(listed.body.results.find((t) => t.id === id)).toMatchObject({ status: "running" });
    const page = await api("/telegram/background-tasks/", { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("poller");

    const status = await apiJson<Task & { live: { status: string } }>(`/telegram/background-tasks/${id}/status/`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id, status: "running", live: { status: "running" } });
    const row = await env.DB.prepare("SELECT status, last_run_at FROM background_tasks WHERE id = ?").bind(id).first();
    expect(row?.status).toBe("running");
    expect(row?.last_run_at).toBeTypeOf("number");

    const stopped = await apiJson<Task>(`/telegram/background-tasks/${id}/stop/`, { method: "POST" });
    expect(stopped.body).toMatchObject({ status: "stopped", is_active: false });
    expect(await alarmAt(stub)).toBeNull();
    const stoppedAgain = await apiJson<Task>(`/telegram/background-tasks/${id}/stop/`, { method: "POST" });
    expect(stoppedAgain.status).toBe(200);
    expect(stoppedAgain.body.status).toBe("stopped");

    const list = await apiJson<{ count: number; results: Task[] }>(`/api/tasks?bot_id=${botId}`);
    expect(list.body.results.map((t) => t.id)).toContain(id);
    expect((await apiJson(`/api/tasks?kind=bogus`)).status).toBe(400);
  });

  it("starts, reports and stops through RPC, and an alarm tick runs the loop once", async () => {
    const clock = await useFakeClock(stub);
    const id = (await env.DB.prepare("SELECT id FROM background_tasks WHERE kind = 'polling'").first<{ id: number }>())?.id ?? 0;
    const s1 = await stub.startTask(id);
    expect(s1.status).toBe("running");
    const s2 = await stub.startTask(id);
    expect(s2.status).toBe("running");
    expect((await stub.taskStatus(id))?.status).toBe("running");

    expect(await runAlarm(stub, clock)).toBe(true);
    expect(fake.callsOf("getUpdates")).toHaveLength(1);
    // The loop scheduled its next run (an empty fake answer waits a second, never spins).
    expect(await alarmAt(stub)).toBe(clock.now() + 1000);
    expect(await runAlarm(stub, clock)).toBe(true);
    expect(fake.callsOf("getUpdates")).toHaveLength(2);

    const stopped = await stub.stopTask(id);
    expect(stopped.status).toBe("stopped");
    expect(await runAlarm(stub, clock)).toBe(false);
    expect(fake.callsOf("getUpdates")).toHaveLength(2);
    expect((await stub.stopTask(id)).status).toBe("stopped");
  });

  it("the cron restarts tasks marked active that are not running", async () => {
    await useFakeClock(stub);
    const id = (await env.DB.prepare("SELECT id FROM background_tasks WHERE kind = 'polling'").first<{ id: number }>())?.id ?? 0;
    await env.DB.prepare("UPDATE background_tasks SET is_active = 1 WHERE id = ?").bind(id).run();
    expect((await stub.taskStatus(id))?.status).toBe("stopped");
    await restartActiveTasks(
      env,
      createLogger({}, () => {}),
    );
    expect((await stub.taskStatus(id))?.status).toBe("running");
    const row = await env.DB.prepare("SELECT status FROM background_tasks WHERE id = ?").bind(id).first();
    expect(row?.status).toBe("running");
    // Running already: the next cron changes nothing.
    await restartActiveTasks(
      env,
      createLogger({}, () => {}),
    );
    expect(Object.keys(await scheduleOf(stub))).toEqual([`task:${id}`]);
    await stub.stopTask(id);
  });

  it("a stats task runs collectStatsBatch on alarms until it completes", async () => {
    const clock = await useFakeClock(stub);
    await env.DB.batch(
      [-100_501, -100_502].map((id) =>
        env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'G')").bind(botId, id),
      ),
    );
    fake.on("getChat", (c) => ({
      result: { id: Number(c.params.chat_id), type: "supergroup", title: "G", accent_color_id: 0, max_reaction_count: 11 },
    }));
    fake.on("getChatMemberCount", () => ({ result: 42 }));
    fake.on("getChatAdministrators", () => ({ result: [] }));
    fake.on("getChatMember", () => ({ result: { status: "member", user: { id: 8101, is_bot: true, first_name: "Bot" } } }));
    const created = await apiJson<Task>("/api/tasks", { body: { bot_id: botId, kind: "stats", start: true } });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("running");
    await drain(stub, clock);
    const status = await apiJson<Task & { progress: Record<string, unknown> }>(`/telegram/background-tasks/${created.body.id}/status/`);
    expect(status.body.status).toBe("completed");
    expect(status.body.progress).toMatchObject({ total: 2, done: true });
    expect(Number(status.body.progress.collected) + Number(status.body.progress.failed)).toBe(2);
    expect(fake.callsOf("getChatMemberCount").length).toBeGreaterThan(0);
    await apiJson(`/api/tasks/${created.body.id}`, { method: "DELETE" });
  }, 30_000);

  it("start-all and stop-all act on every task of a bot", async () => {
    await useFakeClock(stub);
    const ai = await apiJson<Task>("/api/tasks", { body: { bot_id: botId, kind: "ai_chat" } });
    expect(ai.status).toBe(201);
    const all = await apiJson<{ count: number; results: Task[] }>("/telegram/background-tasks/start-all/", { body: { bot_id: botId } });
    expect(all.status).toBe(200);
    expect(all.body.results.every((t) => t.status === "running")).toBe(true);
    // ai_chat running is the bot's AI switch.
    const bot = await apiJson<{ ai_enabled: boolean }>(`/api/bots/${botId}`);
    expect(bot.body.ai_enabled).toBe(true);
    const none = await apiJson<{ results: Task[] }>("/api/tasks/stop-all", { method: "POST" });
    expect(none.body.results.every((t) => t.status !== "running" && !t.is_active)).toBe(true);
    expect((await apiJson<{ ai_enabled: boolean }>(`/api/bots/${botId}`)).body.ai_enabled).toBe(false);

    // The AI switch flipped through the bots API shows in the ai_chat task's status (and the cron's mirror).
    await apiJson(`/api/bots/${botId}`, { method: "PATCH", body: { ai_enabled: true } });
    expect((await apiJson<Task>(`/telegram/background-tasks/${ai.body.id}/status/`)).body.status).toBe("running");
    await restartActiveTasks(
      env,
      createLogger({}, () => {}),
    );
    const row = await env.DB.prepare("SELECT status FROM background_tasks WHERE id = ?").bind(ai.body.id).first();
    expect(row?.status).toBe("running");
    await apiJson(`/telegram/background-tasks/${ai.body.id}/stop/`, { method: "POST" });
    expect((await apiJson<{ ai_enabled: boolean }>(`/api/bots/${botId}`)).body.ai_enabled).toBe(false);
  });
});
