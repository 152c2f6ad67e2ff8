// A group upgraded to a supergroup lives on under a new chat id. These statements move
// everything keyed by (bot_id, old chat id) to the new id in one atomic batch: messages,
// rollups, member events, snapshots and the latest stats, reactions and invite joins,
// dialog sessions and feedback, the chat's AI mode and model, broadcast targets, the AI group allow-list and the AI
// usage per chat. Rows whose key the new id already holds are merged (counts added) or
// give way to the new id's row. The old chat row stays behind only as a pointer
// (chats.migrated_to_chat_id), which every list and count leaves out. Running them again
// is a no-op: nothing is left under the old id to move. What lives outside D1 (the AI
// memory in the bot's Durable Object) moves when the update is handled (dispatch.ts).

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
    // Message ids of a basic group and of its supergroup are counted apart: one the new id
    // already holds is moved without its message id (the Telegram message is in raw).
    stmt(db, sql`UPDATE OR IGNORE messages SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE messages SET chat_id = ${newId}, message_id = NULL WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE messages SET sender_chat_id = ${newId} WHERE bot_id = ${botId} AND sender_chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE member_events SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE invite_joins SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`UPDATE feedback SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    // A chat's AI mode and model: the supergroup's own choice, if it made one, wins.
    stmt(db, sql`UPDATE OR IGNORE chat_ai_settings SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`DELETE FROM chat_ai_settings WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
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
    ...moveOrGiveWay(db, "sessions", botId, oldId, newId, guard),
    // A period snapshotted under both ids keeps the new id's row.
    ...moveOrGiveWay(db, "chat_snapshots", botId, oldId, newId, guard),
    // The latest stats: the old id's result (its chat_id rewritten) unless it is an error
    // (the "group chat was upgraded" the old id answers) or the new id has its own.
    stmt(
      db,
      sql`UPDATE OR IGNORE chat_stats SET chat_id = ${newId}, result = json_set(result, '$.chat_id', CAST(${newId} AS INTEGER), '$.type', 'supergroup')
        WHERE bot_id = ${botId} AND chat_id = ${oldId} AND error IS NULL AND ${guard}`,
    ),
    stmt(db, sql`DELETE FROM chat_stats WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    ...moveOrGiveWay(db, "message_reactions", botId, oldId, newId, guard),
    ...moveOrGiveWay(db, "message_reaction_counts", botId, oldId, newId, guard),
    stmt(
      db,
      sql`
      INSERT INTO chat_reaction_daily (bot_id, chat_id, day, reactions)
      SELECT bot_id, ${newId}, day, reactions FROM chat_reaction_daily WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET reactions = chat_reaction_daily.reactions + excluded.reactions`,
    ),
    stmt(db, sql`DELETE FROM chat_reaction_daily WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(
      db,
      sql`
      INSERT INTO ai_usage_totals (bot_id, scope, subject_id, period, requests, tokens)
      SELECT bot_id, scope, ${newId}, period, requests, tokens FROM ai_usage_totals
      WHERE bot_id = ${botId} AND scope = 'chat' AND subject_id = ${oldId} AND ${guard}
      ON CONFLICT (bot_id, scope, subject_id, period) DO UPDATE SET
        requests = ai_usage_totals.requests + excluded.requests, tokens = ai_usage_totals.tokens + excluded.tokens`,
    ),
    stmt(db, sql`DELETE FROM ai_usage_totals WHERE bot_id = ${botId} AND scope = 'chat' AND subject_id = ${oldId} AND ${guard}`),
    // The AI answers in the supergroup where it answered in the group. (Ids are bound as
    // doubles: cast, or JSON would spell them -100….0.)
    stmt(
      db,
      sql`UPDATE bots SET ai_group_allowlist = (
          SELECT json_group_array(v) FROM (SELECT DISTINCT CASE WHEN value = ${oldId} THEN CAST(${newId} AS INTEGER) ELSE value END AS v
            FROM json_each(bots.ai_group_allowlist)))
        WHERE id = ${botId} AND json_valid(ai_group_allowlist) AND EXISTS (SELECT 1 FROM json_each(bots.ai_group_allowlist) WHERE value = ${oldId})
          AND ${guard}`,
    ),
    ...broadcastTargetStmts(db, botId, oldId, newId, guard),
  ];
}

/** Moves a table's rows; where the new id already has the same key, the new id's row stays. */
function moveOrGiveWay(db: Db, table: string, botId: number, oldId: number, newId: number, guard: SQL) {
  const t = sql.raw(table);
  return [
    stmt(db, sql`UPDATE OR IGNORE ${t} SET chat_id = ${newId} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
    stmt(db, sql`DELETE FROM ${t} WHERE bot_id = ${botId} AND chat_id = ${oldId} AND ${guard}`),
  ];
}

/**
 * A broadcast's delivery to the old id goes to the new id. A broadcast that targeted both
 * keeps one delivery: the one that got further (a pending one gives way), so nothing is
 * sent twice and nothing sent is forgotten.
 */
function broadcastTargetStmts(db: Db, botId: number, oldId: number, newId: number, guard: SQL) {
  const mine = sql`broadcast_id IN (SELECT id FROM broadcasts WHERE bot_id = ${botId})`;
  const twin = (chat: number) =>
    sql`EXISTS (SELECT 1 FROM broadcast_deliveries o WHERE o.broadcast_id = broadcast_deliveries.broadcast_id AND o.chat_id = ${chat})`;
  return [
    stmt(
      db,
      sql`DELETE FROM broadcast_deliveries WHERE ${mine} AND chat_id = ${newId} AND status = 'pending' AND ${twin(oldId)} AND ${guard}`,
    ),
    stmt(db, sql`DELETE FROM broadcast_deliveries WHERE ${mine} AND chat_id = ${oldId} AND ${twin(newId)} AND ${guard}`),
    stmt(db, sql`UPDATE broadcast_deliveries SET chat_id = ${newId} WHERE ${mine} AND chat_id = ${oldId} AND ${guard}`),
  ];
}

/** Moves a chat outside ingest (a send answered 400 with migrate_to_chat_id). */
export async function migrateChat(db: Db, botId: number, oldId: number, newId: number): Promise<void> {
  await runBatch(db, migrateChatStmts(db, botId, oldId, newId));
}
