// Single-row statements for chats, users and messages, for writers outside the inbox's
// group commit (a send's outgoing message, seeds). Each takes an optional guard.
import type { Chat, User } from "@grammyjs/types";
import { type SQL, sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import type { Db } from "../../env";
import { stmt } from "./d1";
import type { MessageRow } from "./normalize";

const ALWAYS = sql`1`;

export function upsertChatStmt(db: Db, botId: number, chat: Chat, now = nowSeconds(), guard: SQL = ALWAYS) {
  const c = chat as Chat & { title?: string; username?: string; first_name?: string; last_name?: string; is_forum?: boolean };
  return stmt(
    db,
    sql`
    INSERT INTO chats (bot_id, chat_id, type, title, username, first_name, last_name, is_forum, first_seen_at, last_seen_at)
    SELECT ${botId}, ${c.id}, ${c.type}, ${c.title ?? null}, ${c.username ?? null}, ${c.first_name ?? null}, ${c.last_name ?? null},
            ${c.is_forum ? 1 : 0}, ${now}, ${now} WHERE ${guard}
    ON CONFLICT (bot_id, chat_id) DO UPDATE SET
      type = excluded.type,
      title = coalesce(excluded.title, chats.title),
      username = excluded.username,
      first_name = coalesce(excluded.first_name, chats.first_name),
      last_name = coalesce(excluded.last_name, chats.last_name),
      is_forum = excluded.is_forum,
      last_seen_at = max(chats.last_seen_at, excluded.last_seen_at)`,
  );
}

/** For a chat seen only in our own sent message (its chat object may be partial): create it if new, else leave it. */
export function ensureChatStmt(db: Db, botId: number, chat: Chat, now = nowSeconds()) {
  const c = chat as Chat & { title?: string; username?: string; first_name?: string };
  return stmt(
    db,
    sql`
    INSERT INTO chats (bot_id, chat_id, type, title, username, first_name, first_seen_at, last_seen_at)
    VALUES (${botId}, ${c.id}, ${c.type}, ${c.title ?? null}, ${c.username ?? null}, ${c.first_name ?? null}, ${now}, ${now})
    ON CONFLICT (bot_id, chat_id) DO NOTHING`,
  );
}

/** Upserts a user; the sender's upsert also answers its language and preferences. */
export function upsertUserStmt(db: Db, botId: number, u: User, now = nowSeconds(), guard: SQL = ALWAYS) {
  return stmt(
    db,
    sql`
    INSERT INTO tg_users (bot_id, user_id, first_name, last_name, username, language_code, is_bot, first_seen_at, last_seen_at)
    SELECT ${botId}, ${u.id}, ${u.first_name ?? ""}, ${u.last_name ?? null}, ${u.username ?? null}, ${u.language_code ?? null},
           ${u.is_bot ? 1 : 0}, ${now}, ${now} WHERE ${guard}
    ON CONFLICT (bot_id, user_id) DO UPDATE SET
      first_name = excluded.first_name,
      last_name = excluded.last_name,
      username = excluded.username,
      language_code = coalesce(excluded.language_code, tg_users.language_code),
      last_seen_at = max(tg_users.last_seen_at, excluded.last_seen_at)
    RETURNING language_code, preferences`,
  );
}

export function insertMessageStmt(
  db: Db,
  botId: number,
  updateId: number | null,
  r: MessageRow,
  direction: "in" | "out",
  isEdit = false,
  guard: SQL = ALWAYS,
) {
  const values = sql`SELECT ${botId}, ${r.chatId}, ${r.messageId}, ${updateId}, ${r.fromUserId}, ${r.senderChatId}, ${r.threadId}, ${r.date},
    ${r.editDate}, ${r.kind}, ${r.serviceType}, ${r.text}, ${r.entities ? JSON.stringify(r.entities) : null}, ${r.mediaType},
    ${r.fileId}, ${r.callbackQueryId}, ${r.callbackData}, ${r.replyToMessageId}, ${direction}, ${JSON.stringify(r.raw ?? null)}, ${nowSeconds()} WHERE ${guard}`;
  const onConflict = isEdit
    ? sql`ON CONFLICT (bot_id, chat_id, message_id) DO UPDATE SET text = excluded.text, entities = excluded.entities,
        edit_date = excluded.edit_date, media_type = coalesce(excluded.media_type, messages.media_type),
        file_id = coalesce(excluded.file_id, messages.file_id), raw = excluded.raw`
    : sql`ON CONFLICT DO NOTHING`;
  return stmt(
    db,
    sql`
    INSERT INTO messages (bot_id, chat_id, message_id, update_id, from_user_id, sender_chat_id, thread_id, date, edit_date, kind,
      service_type, text, entities, media_type, file_id, callback_query_id, callback_data, reply_to_message_id, direction, raw, created_at)
    ${values} ${onConflict}`,
  );
}
