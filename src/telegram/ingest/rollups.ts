// Analytics rollups maintained at ingest, inside the same db.batch as the message
// insert, so they are exactly as durable as the message. The ledger's `stored` flag
// (set in that batch) keeps a redelivery from counting a message twice; edits,
// callbacks and service messages never count as messages.
import { type SQL, sql } from "drizzle-orm";
import { stmt } from "../../db/d1";
import type { Db } from "../../env";
import { type MemberEvent, utcParts } from "./normalize";

/** chat_user_daily, chat_daily_activity (active_users = that day's chat_user_daily rows) and chat_hourly_activity for one new message. */
export function messageRollupStmts(db: Db, botId: number, chatId: number, userId: number | null, date: number, guard: SQL = sql`1`) {
  const { day, weekday, hour } = utcParts(date);
  const stmts: D1PreparedStatement[] = [];
  if (userId !== null) {
    stmts.push(
      stmt(
        db,
        sql`
        INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages)
        SELECT ${botId}, ${chatId}, ${day}, ${userId}, 1 WHERE ${guard}
        ON CONFLICT (bot_id, chat_id, day, user_id) DO UPDATE SET messages = chat_user_daily.messages + 1`,
      ),
    );
  }
  stmts.push(
    stmt(
      db,
      sql`
      INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users)
      SELECT ${botId}, ${chatId}, ${day}, 1,
        (SELECT count(*) FROM chat_user_daily WHERE bot_id = ${botId} AND chat_id = ${chatId} AND day = ${day})
      WHERE ${guard}
      ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET
        messages = chat_daily_activity.messages + 1, active_users = excluded.active_users`,
    ),
    stmt(
      db,
      sql`
      INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages)
      SELECT ${botId}, ${chatId}, ${weekday}, ${hour}, 1 WHERE ${guard}
      ON CONFLICT (bot_id, chat_id, weekday, hour) DO UPDATE SET messages = chat_hourly_activity.messages + 1`,
    ),
  );
  return stmts;
}

/**
 * A join or leave: kept in member_events and counted in chat_daily_activity. Telegram may
 * report one join twice (a chat_member update and a new_chat_members service message), so an
 * event already recorded for the same user within a minute is not recorded or counted again.
 */
export function memberEventStmts(db: Db, botId: number, updateId: number, e: MemberEvent, guard: SQL = sql`1`) {
  const { day } = utcParts(e.date);
  const column = e.event === "join" ? sql`joins` : sql`leaves`;
  return [
    stmt(
      db,
      sql`
      INSERT INTO member_events (bot_id, chat_id, user_id, event, date, update_id)
      SELECT ${botId}, ${e.chatId}, ${e.userId}, ${e.event}, ${e.date}, ${updateId}
      WHERE ${guard} AND NOT EXISTS (
        SELECT 1 FROM member_events WHERE bot_id = ${botId} AND chat_id = ${e.chatId} AND user_id = ${e.userId}
          AND event = ${e.event} AND abs(date - ${e.date}) <= 60 AND coalesce(update_id, -1) != ${updateId}
      ) AND NOT EXISTS (
        SELECT 1 FROM member_events WHERE bot_id = ${botId} AND chat_id = ${e.chatId} AND user_id = ${e.userId}
          AND event = ${e.event} AND update_id = ${updateId}
      )`,
    ),
    stmt(
      db,
      sql`
      INSERT INTO chat_daily_activity (bot_id, chat_id, day, ${column})
      SELECT ${botId}, ${e.chatId}, ${day}, 1
      WHERE changes() = 1
      ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET ${column} = ${column} + 1`,
    ),
  ];
}
