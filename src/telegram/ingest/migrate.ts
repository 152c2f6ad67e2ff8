// A group upgraded to a supergroup lives on under a new chat id. These statements move
// its history (messages, rollups, member events, dialog sessions) to the new id and leave
// the old chat row behind as a pointer (chats.migrated_to_chat_id). Running them again
// is a no-op: nothing is left under the old id to move.

import type { Chat } from "@grammyjs/types";
import { type SQL, sql } from "drizzle-orm";
import { runBatch, stmt } from "../../db/d1";
import type { Db } from "../../env";

export function migrateChatStmts(db: Db, botId: number, oldId: number, newId: number, oldChat?: Chat, guard: SQL = sql`1`) {
  const title = (oldChat as { title?: string } | undefined)?.title ?? null;
  return [
    // The new chat row, seeded from the old one when we have it.
    stmt(
      db,
      sql`
      INSERT INTO chats (bot_id, chat_id, type, title, username, is_forum, bot_role, first_seen_at, last_seen_at)
      SELECT bot_id, ${newId}, 'supergroup', coalesce(title, ${title}), username, is_forum, bot_role, first_seen_at, last_seen_at
      FROM chats WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, chat_id) DO UPDATE SET
        title = coalesce(chats.title, excluded.title),
        bot_role = coalesce(chats.bot_role, excluded.bot_role),
        first_seen_at = min(chats.first_seen_at, excluded.first_seen_at)`,
    ),
    stmt(db, sql`UPDATE chats SET migrated_to_chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE OR IGNORE messages SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE member_events SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(
      db,
      sql`
      INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages)
      SELECT bot_id, ${newId}, day, user_id, messages FROM chat_user_daily WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, chat_id, day, user_id) DO UPDATE SET messages = chat_user_daily.messages + excluded.messages`,
    ),
    stmt(db, sql`DELETE FROM chat_user_daily WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(
      db,
      sql`
      INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users, joins, leaves)
      SELECT bot_id, ${newId}, day, messages, active_users, joins, leaves FROM chat_daily_activity
      WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET
        messages = chat_daily_activity.messages + excluded.messages,
        joins = chat_daily_activity.joins + excluded.joins,
        leaves = chat_daily_activity.leaves + excluded.leaves`,
    ),
    stmt(db, sql`DELETE FROM chat_daily_activity WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(
      db,
      sql`
      UPDATE chat_daily_activity SET active_users = (
        SELECT count(*) FROM chat_user_daily u WHERE u.bot_id = chat_daily_activity.bot_id
          AND u.chat_id = chat_daily_activity.chat_id AND u.day = chat_daily_activity.day
      ) WHERE bot_id = ${botId} AND chat_id = ${newId}`,
    ),
    stmt(
      db,
      sql`
      INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages)
      SELECT bot_id, ${newId}, weekday, hour, messages FROM chat_hourly_activity WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, chat_id, weekday, hour) DO UPDATE SET messages = chat_hourly_activity.messages + excluded.messages`,
    ),
    stmt(db, sql`DELETE FROM chat_hourly_activity WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE OR IGNORE sessions SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`DELETE FROM sessions WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
  ];
}

/** Moves a chat outside ingest (a send answered 400 with migrate_to_chat_id). */
export async function migrateChat(db: Db, botId: number, oldId: number, newId: number): Promise<void> {
  await runBatch(db, migrateChatStmts(db, botId, oldId, newId));
}
