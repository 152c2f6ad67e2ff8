// Redelivery storm against `wrangler dev`: N updates (2,000 by default to fit CI; 10,000 with
// RELIABILITY_STORM_UPDATES=10000) across 3 bots and 200 chats, a third of them delivered
// 2-3 times, all deliveries shuffled and sent 32 at a time. Every update must be stored
// exactly once, every /start and /help answered exactly once, and no delivery answered 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leakedSecrets, type Platform, type RelBot, startPlatform, TEST_SECRETS, textUpdate, waitSettled } from "./support/platform";
import { pool, rng, shuffle } from "./support/rng";

const UPDATES = Number(process.env.RELIABILITY_STORM_UPDATES ?? 2000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 8);
const CONCURRENCY = 32;
const CHATS = 200;

type Kind = "text" | "start" | "help";
interface Planned {
  bot: RelBot;
  chatId: number;
  kind: Kind;
  body: ReturnType<typeof textUpdate>;
}

let p: Platform;
let bots: RelBot[];
const planned: Planned[] = [];
const statuses = new Map<number, number>();
let deliveries = 0;
let seconds = 0;
let sql: ReturnType<Platform["snapshot"]>;

beforeAll(async () => {
  p = await startPlatform();
  bots = [];
  for (const tgId of [7100000001, 7100000002, 7100000003]) bots.push(await p.addBot(tgId));
});
afterAll(async () => {
  await p?.stop();
});

// 160 private chats (chat id = user id) and 40 supergroups with 5 members each.
function chatAndUser(r: () => number): { chatId: number; userId: number } {
  const c = Math.floor(r() * CHATS);
  if (c < 160) return { chatId: 5_000_001 + c, userId: 5_000_001 + c };
  return { chatId: -1_005_000_000_001 - c, userId: 6_000_001 + (c % 40) * 5 + Math.floor(r() * 5) };
}

describe(`redelivery storm: ${UPDATES} updates, 3 bots, ${CHATS} chats, concurrency ${CONCURRENCY}, seed ${SEED}`, () => {
  it("answers every delivery 2xx", async () => {
    const r = rng(SEED);
    const nextUpdateId = new Map<number, number>();
    for (let i = 0; i < UPDATES; i++) {
      const bot = bots[Math.floor(r() * bots.length)] as RelBot;
      const { chatId, userId } = chatAndUser(r);
      const roll = r();
      const kind: Kind = roll < 0.15 ? "start" : roll < 0.3 ? "help" : "text";
      const updateId = (nextUpdateId.get(bot.id) ?? 900_000_000) + 1;
      nextUpdateId.set(bot.id, updateId);
      const text = kind === "text" ? `storm message ${i}` : `/${kind}`;
      planned.push({ bot, chatId, kind, body: textUpdate(updateId, chatId, userId, 10_000 + i, text) });
    }
    const queue: Planned[] = [];
    for (const u of planned) {
      const copies = r() < 1 / 3 ? 2 + Math.floor(r() * 2) : 1;
      for (let c = 0; c < copies; c++) queue.push(u);
    }
    shuffle(r, queue);
    deliveries = queue.length;

    const started = Date.now();
    await pool(queue, CONCURRENCY, async (u) => {
      let status: number;
      try {
        status = await p.deliver(u.bot, u.body);
      } catch {
        status = 0; // the connection failed
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    seconds = (Date.now() - started) / 1000;
    console.log(
      `[storm] ${UPDATES} updates, ${deliveries} deliveries in ${seconds.toFixed(1)} s (${(deliveries / seconds).toFixed(0)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    // On failure, show what the Worker logged as errors.
    const errors = p
      .workerLogs()
      .split("\n")
      .filter((l) => l.includes('"level":"error"'))
      .map((l) => l.slice(0, 400));
    expect({ statuses: Object.fromEntries(statuses), errors: errors.slice(0, 5) }).toEqual({ statuses: { 200: deliveries }, errors: [] });
  });

  it("stores every update exactly once, with its rollups counted once", async () => {
    // Replies paced by the send governor leave from the outbox after the inbox is drained.
    const after = await waitSettled(p, bots, 120_000);
    console.log(`[storm] every inbox and outbox empty ${after.toFixed(1)} s after the last delivery`);
    sql = p.snapshot();
    const expected = new Map<number, number>();
    for (const u of planned) expected.set(u.bot.id, (expected.get(u.bot.id) ?? 0) + 1);
    const rows = sql(
      "SELECT bot_id, count(*) AS n, count(DISTINCT update_id) AS d FROM messages WHERE direction = 'in' GROUP BY bot_id ORDER BY bot_id",
    ) as { bot_id: number; n: number; d: number }[];
    const ledger = sql("SELECT bot_id, count(*) AS n FROM processed_updates WHERE status = 'done' GROUP BY bot_id ORDER BY bot_id") as {
      bot_id: number;
      n: number;
    }[];
    const daily = sql("SELECT bot_id, sum(messages) AS n FROM chat_user_daily GROUP BY bot_id ORDER BY bot_id") as {
      bot_id: number;
      n: number;
    }[];
    const want = bots.map((b) => ({ bot_id: b.id, n: expected.get(b.id) ?? 0 }));
    expect(rows).toEqual(want.map((w) => ({ ...w, d: w.n })));
    expect(ledger).toEqual(want);
    // The same rollup as the Worker reads it (chat_daily_activity, through the analytics API).
    const perDay = await Promise.all(
      bots.map(async (b) => {
        const r = await p.api(`/api/analytics/${b.id}/messages?from=2025-12-28&to=2026-01-01`);
        const days = (r.body as { results: { count: number }[] }).results;
        return { bot_id: b.id, n: days.reduce((s, d) => s + d.count, 0) };
      }),
    );
    expect({ daily, perDay }).toEqual({ daily: want, perDay: want });
  });

  it("answers every command exactly once", () => {
    const key = (token: string, chat: unknown, kind: string) => `${token}|${chat}|${kind}`;
    const want = new Map<string, number>();
    for (const u of planned)
      if (u.kind !== "text") want.set(key(u.bot.token, u.chatId, u.kind), (want.get(key(u.bot.token, u.chatId, u.kind)) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const c of p.tg.calls) {
      if (c.method !== "sendMessage" || c.fault) continue;
      const kind = String(c.params.text).startsWith("Available commands:") ? "help" : "start";
      got.set(key(c.token, c.params.chat_id, kind), (got.get(key(c.token, c.params.chat_id, kind)) ?? 0) + 1);
    }
    const commands = planned.filter((u) => u.kind !== "text").length;
    console.log(`[storm] ${commands} commands, ${p.tg.calls.filter((c) => c.method === "sendMessage").length} sendMessage calls`);
    expect(got).toEqual(want);
    const out = sql("SELECT count(*) AS n FROM messages WHERE direction = 'out'") as { n: number }[];
    expect(out[0]?.n).toBe(commands);
  });

  it("never shows a secret in an answer or a log line", () => {
    const secrets: Record<string, string> = { ...TEST_SECRETS };
    for (const b of bots) {
      secrets[`token of bot ${b.id}`] = b.token;
      secrets[`webhook secret of bot ${b.id}`] = b.secret;
    }
    delete secrets.DEV_ADMIN_USERNAME; // a login name, not a secret
    expect(leakedSecrets([...p.answers, p.workerLogs()], secrets)).toEqual([]);
  });
});
