// Cron snapshots (idempotent within a period), the DO's batches, and the history queries.
import { env, exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { findBot } from "../../src/db/bots";
import { createDb } from "../../src/db/client";
import { createLogger } from "../../src/lib/log";
import { collectStatsBatch, type StatsBatchState } from "../../src/stats";
import { runStatsSnapshots } from "../../src/stats/cron";
import adminsResponse from "../fixtures/telegram-updates/results/ng-response-getChatAdministrators.json";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";

// The plugin's typing of exports.default lists fetch only; scheduled() exists at run time.
const worker = exports.default as unknown as { scheduled(opts: { cron: string; scheduledTime?: number }): Promise<unknown> };
const fake = new FakeTelegram();
const tg = fake.addBot(adminsResponse.result[0]!.user.id, "testbot");
const historyTg = fake.addBot(9003, "history_bot");
const log = createLogger({}, () => {});
const db = createDb(env.DB);
const A = -1003000000001;
const B = -1003000000002;
const USER = 4242;
const HOUR = 3600;
const T0 = Date.parse("2026-11-20T10:05:00Z"); // inside the period starting 10:00

let botId = 0;
let historyBotId = 0;
const memberCounts = new Map<number, number>([
  [A, 10],
  [B, 20],
]);

const snapshotCount = async (id = botId) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM chat_snapshots WHERE bot_id = ?").bind(id).first<{ n: number }>())!.n;

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Snapshot bot", tg.token)).id;
  historyBotId = (await createBot("History bot", historyTg.token)).id;
  await env.DB.prepare(
    "INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'A'), (?, ?, 'channel', 'B'), (?, ?, 'private', NULL)",
  )
    .bind(botId, A, botId, B, botId, USER)
    .run();
  await env.DB.prepare("UPDATE bots SET is_active = 0 WHERE id = ?").bind(historyBotId).run();
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.on("getChat", (c) => ({ result: { id: Number(c.params.chat_id), type: "supergroup", title: "X" } }));
  fake.on("getChatMemberCount", (c) => ({ result: memberCounts.get(Number(c.params.chat_id)) ?? 0 }));
  fake.on("getChatAdministrators", () => ({ result: adminsResponse.result }));
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("cron snapshots", () => {
  it("a second run in the same period stores no new snapshot and makes no call", async () => {
    const first = await runStatsSnapshots(env, log, T0);
    expect(first).toMatchObject({ periodStart: Date.parse("2026-11-20T10:00:00Z") / 1000, snapshots: 2, failed: 0 });
    expect(await snapshotCount()).toBe(2); // the two groups/channels; private chats are not snapshotted
    expect(fake.calls).toHaveLength(6);

    memberCounts.set(A, 11);
    const second = await runStatsSnapshots(env, log, T0 + 40 * 60 * 1000);
    expect(second.snapshots).toBe(0);
    expect(await snapshotCount()).toBe(2);
    expect(fake.calls).toHaveLength(6);

    const rows = await env.DB.prepare(
      "SELECT chat_id, member_count, admin_count, bot_role, error FROM chat_snapshots WHERE bot_id = ? ORDER BY chat_id DESC",
    )
      .bind(botId)
      .all();
    expect(rows.results).toEqual([
      { chat_id: A, member_count: 10, admin_count: 2, bot_role: "administrator", error: null },
      { chat_id: B, member_count: 20, admin_count: 2, bot_role: "administrator", error: null },
    ]);
    // Inactive bots are not snapshotted.
    expect(await snapshotCount(historyBotId)).toBe(0);
  });

  it("the next period stores a new snapshot per chat, errors included", async () => {
    fake.on("getChat", (c) =>
      Number(c.params.chat_id) === B
        ? { error_code: 403, description: "Forbidden: bot is not a member of the channel chat" }
        : { result: { id: A, type: "supergroup", title: "A" } },
    );
    await runStatsSnapshots(env, log, T0 + HOUR * 1000);
    const rows = await env.DB.prepare(
      "SELECT chat_id, member_count, bot_role, error FROM chat_snapshots WHERE bot_id = ? AND period_start = ? ORDER BY chat_id DESC",
    )
      .bind(botId, Date.parse("2026-11-20T11:00:00Z") / 1000)
      .all();
    expect(rows.results).toEqual([
      { chat_id: A, member_count: 11, bot_role: "administrator", error: null },
      { chat_id: B, member_count: null, bot_role: "left", error: "bot_removed: 403 Forbidden: bot is not a member of the channel chat" },
    ]);
  });

  it("within the call budget, a run covers what it can and the next run in the period finishes", async () => {
    const t = T0 + 2 * HOUR * 1000;
    const partial = await runStatsSnapshots(env, log, t, { callBudget: 5 });
    expect(partial.snapshots).toBe(1);
    expect(partial.remaining).toBeGreaterThanOrEqual(1);
    const rest = await runStatsSnapshots(env, log, t + 15 * 60 * 1000);
    expect(rest.snapshots).toBe(1);
    expect(await snapshotCount()).toBe(6);
  });

  it("STATS_CALL_BUDGET sets the run's budget (e.g. for the Free plan's 50 subrequests)", async () => {
    const t = T0 + 3 * HOUR * 1000;
    const capped = await runStatsSnapshots({ ...env, STATS_CALL_BUDGET: "5" }, log, t);
    expect(capped.calls).toBeLessThanOrEqual(5);
    expect(capped.snapshots).toBe(1);
    // Not a positive integer: ignored, the default budget covers the rest of the period.
    const rest = await runStatsSnapshots({ ...env, STATS_CALL_BUDGET: "lots" }, log, t + 15 * 60 * 1000);
    expect(rest.snapshots).toBe(1);
    expect(rest.remaining).toBe(0);
  });

  it("when the budget covers fewer chats than the bot has, the ones left out go first next period", async () => {
    const periodOf = (hours: number) => T0 + hours * HOUR * 1000;
    const snapped = async (hours: number) => {
      const start = Math.floor(periodOf(hours) / 1000 / HOUR) * HOUR;
      const r = await env.DB.prepare("SELECT chat_id FROM chat_snapshots WHERE bot_id = ? AND period_start = ?").bind(botId, start).all();
      return r.results.map((x) => x.chat_id);
    };
    // collected_at has a resolution of one second: let each run's collection time differ.
    const tick = () => new Promise((r) => setTimeout(r, 1100));
    // A budget of 5 calls covers one chat (3-4 calls) per run.
    await tick();
    await runStatsSnapshots(env, log, periodOf(10), { callBudget: 5 });
    await tick();
    await runStatsSnapshots(env, log, periodOf(11), { callBudget: 5 });
    const [first, second] = [await snapped(10), await snapped(11)];
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(new Set([...first, ...second])).toEqual(new Set([A, B]));
  });

  it("runs through the Worker's scheduled handler too, idempotently", async () => {
    const scheduledTime = T0 + 3 * HOUR * 1000;
    // The handler hands the work to ctx.waitUntil, so wait for its effect.
    await worker.scheduled({ cron: "*/15 * * * *", scheduledTime });
    await vi.waitFor(async () => expect(await snapshotCount()).toBe(10), { timeout: 5000, interval: 50 });
    const calls = fake.calls.length;
    await worker.scheduled({ cron: "*/15 * * * *", scheduledTime: scheduledTime + 30 * 60 * 1000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshotCount()).toBe(10);
    expect(fake.calls.length).toBe(calls);
  });
});

describe("the Durable Object's batches", () => {
  it("collect from the cursor, report progress, and resume until done", async () => {
    const bot = (await findBot(db, botId))!;
    for (let i = 0; i < 5; i++) {
      await env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'More')")
        .bind(botId, -1003000000100 - i)
        .run();
    }
    let state: StatsBatchState | null = null;
    const seen: (number | null)[] = [];
    let batches = 0;
    for (;;) {
      const r = await collectStatsBatch({ env, db, log, bot }, state, { callBudget: 9 }); // two chats per batch
      batches++;
      state = r.state;
      seen.push(state.cursor);
      if (r.done) break;
      expect(batches).toBeLessThan(10);
    }
    expect(state).toMatchObject({ total: 7, collected: 7, failed: 0, cursor: A }); // chat id order: A is the largest
    expect(batches).toBe(4);
    expect(new Set(seen).size).toBe(4);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM chat_stats WHERE bot_id = ?").bind(botId).first<{ n: number }>();
    expect(stored?.n).toBe(7);
  });
});

describe("history and growth", () => {
  // Chat X has a value before the range (90), two snapshots on Nov 2 (last one counts), a
  // failed one on Nov 4 (ignored); chat Y first appears on Nov 10.
  const X = -1004000000001;
  const Y = -1004000000002;
  const at = (iso: string) => Date.parse(iso) / 1000;
  beforeAll(async () => {
    await env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'X'), (?, ?, 'channel', 'Y')")
      .bind(historyBotId, X, historyBotId, Y)
      .run();
    const rows: [number, string, number | null, string | null][] = [
      [X, "2026-11-01T23:00:00Z", 90, null],
      [X, "2026-11-02T10:00:00Z", 100, null],
      [X, "2026-11-02T20:00:00Z", 105, null],
      [X, "2026-11-04T09:00:00Z", 110, null],
      [X, "2026-11-04T12:00:00Z", null, "bot_removed: 403 Forbidden"],
      [X, "2026-11-09T08:00:00Z", 120, null],
      [X, "2026-11-15T08:00:00Z", 130, null],
      [Y, "2026-11-10T00:00:00Z", 50, null],
      [Y, "2026-11-12T00:00:00Z", 40, null],
    ];
    for (const [chat, iso, members, error] of rows) {
      await env.DB.prepare(
        "INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, admin_count, bot_role, error, collected_at) VALUES (?, ?, ?, ?, 1, 'administrator', ?, ?)",
      )
        .bind(historyBotId, chat, at(iso), members, error, at(iso))
        .run();
    }
  });
  const range = "from=2026-11-02&to=2026-11-15";

  it("member count over time for a chat: its snapshots and a daily series", async () => {
    const { status, body } = await apiJson<{
      snapshots: { t: number; member_count: number | null; error: string | null }[];
      days: { day: string; member_count: number | null }[];
    }>(`/api/analytics/${historyBotId}/member-history?chat_id=${X}&${range}`);
    expect(status).toBe(200);
    expect(body.snapshots.map((s) => s.member_count)).toEqual([100, 105, 110, null, 120, 130]);
    expect(body.snapshots[3]!.error).toMatch(/bot_removed/);
    expect(body.days.map((d) => d.member_count)).toEqual([105, 105, 110, 110, 110, 110, 110, 120, 120, 120, 120, 120, 120, 130]);
  });

  it("member count over time for a bot: summed over its chats, carried forward", async () => {
    const { body } = await apiJson<{ days: { day: string; member_count: number; chats: number }[] }>(
      `/api/analytics/${historyBotId}/member-history?${range}`,
    );
    expect(body.days.map((d) => d.member_count)).toEqual([105, 105, 110, 110, 110, 110, 110, 120, 170, 170, 160, 160, 160, 170]);
    expect(body.days.map((d) => d.chats)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it("growth per day, for the bot", async () => {
    const { body } = await apiJson<{ points: { period: string; member_count: number; change: number }[]; total_change: number }>(
      `/api/analytics/${historyBotId}/growth?${range}&by=day`,
    );
    expect(body.points.map((p) => p.change)).toEqual([15, 0, 5, 0, 0, 0, 0, 10, 0, 0, -10, 0, 0, 10]);
    expect(body.points[0]).toEqual({ period: "2026-11-02", member_count: 105, change: 15 });
    expect(body.total_change).toBe(30);
  });

  it("growth per ISO week (Monday), per chat and per bot", async () => {
    const chat = await apiJson<{ points: unknown[] }>(`/api/analytics/${historyBotId}/growth?chat_id=${X}&${range}&by=week`);
    expect(chat.body.points).toEqual([
      { period: "2026-11-02", member_count: 110, change: 20 },
      { period: "2026-11-09", member_count: 130, change: 20 },
    ]);
    const bot = await apiJson<{ points: unknown[]; total_change: number }>(`/api/analytics/${historyBotId}/growth?${range}&by=week`);
    expect(bot.body.points).toEqual([
      { period: "2026-11-02", member_count: 110, change: 20 },
      { period: "2026-11-09", member_count: 170, change: 10 },
    ]);
    expect(bot.body.total_change).toBe(30);
  });

  it("answers 404 for an unknown bot or chat, 400 for a bad range", async () => {
    expect((await apiJson(`/api/analytics/999999/growth?${range}`)).status).toBe(404);
    expect((await apiJson(`/api/analytics/${historyBotId}/growth?chat_id=-1&${range}`)).status).toBe(404);
    expect((await apiJson(`/api/analytics/${historyBotId}/growth?from=2026-11-15&to=2026-11-02`)).status).toBe(400);
    expect((await apiJson(`/api/analytics/${historyBotId}/growth?from=2026-02-30`)).status).toBe(400);
    expect((await apiJson(`/api/analytics/${historyBotId}/growth?from=2024-01-01&to=2026-01-01`)).status).toBe(400);
    expect((await apiJson(`/api/analytics/${historyBotId}/growth?by=month`)).status).toBe(400);
  });
});
