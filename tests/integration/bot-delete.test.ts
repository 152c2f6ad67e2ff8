// Deleting a bot takes all its data with it, the bot-wide rollups (kept by SQL triggers,
// without foreign keys) included, and leaves every other bot's figures as they were.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { deleteBotMessages } from "../../src/telegram/retention";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let doomed: TestBot;
let kept: TestBot;

const TABLES = [
  "chats",
  "tg_users",
  "messages",
  "processed_updates",
  "member_events",
  "ai_usage",
  "chat_user_daily",
  "chat_daily_activity",
  "chat_hourly_activity",
  "bot_user_days",
  "bot_user_activity",
  "bot_daily_activity",
  "bot_hourly_activity",
];

async function rowsOf(botId: number): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t] = (await env.DB.prepare(`SELECT * FROM ${t} WHERE bot_id = ? ORDER BY 1, 2, 3`).bind(botId).all()).results;
  }
  return out;
}

beforeAll(async () => {
  fake.listen();
  doomed = await setupBot(fake, 7300000001, "doomed_bot");
  kept = await setupBot(fake, 7300000002, "kept_bot");
  for (const bot of [doomed, kept]) {
    // What AI replies and joins leave behind (written directly: no AI or join is needed here).
    await env.DB.batch([
      env.DB.prepare("INSERT INTO ai_usage (bot_id, user_id, day, requests) VALUES (?, 501, '2026-11-25', 3)").bind(bot.id),
      env.DB.prepare("INSERT INTO member_events (bot_id, chat_id, user_id, event, date) VALUES (?, -100501, 503, 'join', 1764000000)").bind(
        bot.id,
      ),
    ]);
  }
  let updateId = 900_000;
  for (const bot of [doomed, kept]) {
    for (const [userId, chatId] of [
      [501, -100501],
      [502, -100501],
      [501, -100502],
    ] as const) {
      const res = await deliver(bot.id, bot.secret, textUpdate(`hello from ${userId}`, { userId, chatId, updateId: updateId++ }));
      expect(res.status).toBe(200);
    }
  }
});
afterAll(() => fake.close());

it("deletes the bot with its chats, messages and every rollup; the other bot's rows are untouched", async () => {
  const before = await rowsOf(doomed.id);
  for (const t of TABLES) expect(before[t]?.length, t).toBeGreaterThan(0);
  const keptBefore = await rowsOf(kept.id);

  const del = await apiJson(`/api/bots/${doomed.id}`, { method: "DELETE" });
  expect(del.status).toBe(200);

  const after = await rowsOf(doomed.id);
  for (const t of TABLES) expect(after[t], t).toEqual([]);
  expect(await rowsOf(kept.id)).toEqual(keptBefore);
});

it("deletes all of a bot's messages chunk by chunk; an unknown bot id deletes nothing", async () => {
  const insert = (botId: number, messageId: number) =>
    env.DB.prepare(
      "INSERT INTO messages (bot_id, chat_id, message_id, date, kind, text) VALUES (?, -100777, ?, 1764000000, 'message', 'x')",
    ).bind(botId, messageId);
  await env.DB.batch(Array.from({ length: 7 }, (_, i) => insert(kept.id, 50_000 + i)));
  const before = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE bot_id = ?").bind(kept.id).first<{ n: number }>();
  // A bot id with no messages deletes nothing.
  expect(await deleteBotMessages(createDb(env.DB), 999_999, 2)).toBe(0);
  expect(await deleteBotMessages(createDb(env.DB), kept.id, 2)).toBe(before?.n);
  expect((await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE bot_id = ?").bind(kept.id).first<{ n: number }>())?.n).toBe(0);
});
