// The bot-wide rollups are kept by SQL triggers (migrations 0003/0004) from the per-chat ones.
// Seeded random operations, the way the platform writes the chat rollups (ingest's upserts for
// new messages, in any day order; a supergroup migration moving a chat's rows; deletions),
// then every bot-wide figure is compared with a recount from the chat rollups.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { runBatch } from "../../src/db/d1";
import { migrateChatStmts } from "../../src/telegram/ingest/migrate";
import { messageRollupStmts } from "../../src/telegram/ingest/rollups";
import { pick, rng } from "../reliability/support/rng";

const BOT = 1;
const day0 = Date.parse("2026-11-01T00:00:00Z") / 1000;

async function all<T>(sql: string): Promise<T[]> {
  return (await env.DB.prepare(sql).all<T>()).results;
}

it("bot-wide rollups always equal a recount of the chat rollups, whatever order the writes come in", async () => {
  await env.DB.prepare("INSERT INTO bots (id, name, token_ciphertext, token_fingerprint) VALUES (1, 'r', 'v1:x', 'fp-r')").run();
  const db = createDb(env.DB);
  const r = rng(11);
  let nextChat = -100900;
  const chats = [-100001, -100002, -100003];
  for (let op = 0; op < 400; op++) {
    const x = r();
    if (x < 0.9) {
      // A new message from a user, on any of 10 days (out of order).
      const chat = pick(r, chats);
      const date = day0 + Math.floor(r() * 10) * 86400 + Math.floor(r() * 86400);
      await runBatch(db, messageRollupStmts(db, BOT, chat, 1 + Math.floor(r() * 8), date));
    } else if (x < 0.96) {
      // A group upgraded to a supergroup: its rows move to the new id (merged if any exist).
      const from = pick(r, chats);
      const to = r() < 0.5 ? pick(r, chats) : nextChat--;
      if (from === to) continue;
      await runBatch(db, migrateChatStmts(db, BOT, from, to));
      chats.splice(chats.indexOf(from), 1);
      if (!chats.includes(to)) chats.push(to);
    } else {
      // A day of one chat deleted (a clean-up), with the bot still there.
      await env.DB.prepare("DELETE FROM chat_user_daily WHERE bot_id = 1 AND chat_id = ? AND day = ?")
        .bind(pick(r, chats), new Date((day0 + Math.floor(r() * 10) * 86400) * 1000).toISOString().slice(0, 10))
        .run();
    }
  }

  // bot_user_days: per user and day, the messages summed over chats, and running totals.
  const expectedDays = await all(`
    SELECT user_id, day, m AS messages,
      sum(m) OVER (PARTITION BY user_id ORDER BY day) AS cum_messages,
      row_number() OVER (PARTITION BY user_id ORDER BY day) AS cum_days
    FROM (SELECT user_id, day, sum(messages) AS m FROM chat_user_daily WHERE bot_id = 1 GROUP BY user_id, day HAVING m > 0)
    ORDER BY user_id, day`);
  expect(expectedDays.length).toBeGreaterThan(20);
  expect(
    await all("SELECT user_id, day, messages, cum_messages, cum_days FROM bot_user_days WHERE bot_id = 1 ORDER BY user_id, day"),
  ).toEqual(expectedDays);

  // bot_daily_activity: messages per day summed over chats, and the distinct active users.
  const messagesPerDay = await all(
    "SELECT day, sum(messages) AS n FROM chat_daily_activity WHERE bot_id = 1 GROUP BY day HAVING n != 0 ORDER BY day",
  );
  expect(await all("SELECT day, messages AS n FROM bot_daily_activity WHERE bot_id = 1 AND messages != 0 ORDER BY day")).toEqual(
    messagesPerDay,
  );
  const usersPerDay = await all(
    "SELECT day, count(DISTINCT user_id) AS n FROM chat_user_daily WHERE bot_id = 1 AND messages > 0 GROUP BY day ORDER BY day",
  );
  expect(await all("SELECT day, active_users AS n FROM bot_daily_activity WHERE bot_id = 1 AND active_users > 0 ORDER BY day")).toEqual(
    usersPerDay,
  );

  // bot_hourly_activity: the chats' hour slots summed.
  const slots = await all(
    "SELECT weekday, hour, sum(messages) AS n FROM chat_hourly_activity WHERE bot_id = 1 GROUP BY weekday, hour HAVING n != 0 ORDER BY weekday, hour",
  );
  expect(
    await all("SELECT weekday, hour, messages AS n FROM bot_hourly_activity WHERE bot_id = 1 AND messages != 0 ORDER BY weekday, hour"),
  ).toEqual(slots);

  // bot_user_activity: every user who wrote, with a last day no earlier than their last one.
  const lastDays = await all<{ user_id: number; day: string }>(
    "SELECT user_id, max(day) AS day FROM bot_user_days WHERE bot_id = 1 GROUP BY user_id ORDER BY user_id",
  );
  const known = new Map(
    (await all<{ user_id: number; last_day: string }>("SELECT user_id, last_day FROM bot_user_activity WHERE bot_id = 1")).map((u) => [
      u.user_id,
      u.last_day,
    ]),
  );
  for (const u of lastDays) expect((known.get(u.user_id) ?? "") >= u.day, String(u.user_id)).toBe(true);
});
