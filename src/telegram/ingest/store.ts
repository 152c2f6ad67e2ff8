// Builds the one D1 batch that claims and stores an update: the ledger claim, chat and
// users upserted, the message row written (or an edit applied), rollups and member events,
// the bot's role, a migration if the message announces one, the ledger's `stored` flag,
// the dialog session lookup, "done" when nothing is left to do, and the ledger state.
// The batch is atomic, and every store statement is guarded by the claim (see ledger.ts):
// a delivery that does not own the update, or finds it already stored, writes nothing.
import type { Chat, User } from "@grammyjs/types";
import { type SQL, sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import type { Db } from "../../env";
import { stmt } from "./d1";
import { claimStmt, finishStoreStmt, stateStmt, storeGuard } from "./ledger";
import { migrateChatStmts } from "./migrate";
import type { MessageRow, Normalized } from "./normalize";
import { memberEventStmts, messageRollupStmts } from "./rollups";

type Stmt = D1PreparedStatement;

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

export interface StorePlan {
  stmts: Stmt[];
  /** Index in the batch result of the sender's upsert (its language and preferences). */
  senderIndex: number | undefined;
  /** Index of the ledger state (last; with the dialog session when asked for). */
  stateIndex: number;
}

export interface StoreOptions {
  /** This attempt's claim token. */
  token: string;
  /** Read this dialog session (D1, the durable copy) in the same batch. */
  session?: { chatId: number; userId: number };
  /** Mark the update done in this batch: always, or only when no dialog session waits. */
  finish?: "always" | "unless-session";
}

export function buildStorePlan(db: Db, botId: number, updateId: number, n: Normalized, opts: StoreOptions): StorePlan {
  const now = nowSeconds();
  const g = storeGuard(botId, updateId, opts.token);
  const stmts: Stmt[] = [claimStmt(db, botId, updateId, n.type, opts.token, now)];
  if (n.chat) stmts.push(upsertChatStmt(db, botId, n.chat, now, g));
  let senderIndex: number | undefined;
  n.users.forEach((u, i) => {
    if (i === 0) senderIndex = stmts.length;
    stmts.push(upsertUserStmt(db, botId, u, now, g));
  });
  if (n.row) stmts.push(insertMessageStmt(db, botId, updateId, n.row, "in", n.isEdit, g));
  if (n.countsAsMessage && n.row) stmts.push(...messageRollupStmts(db, botId, n.row.chatId, n.row.fromUserId, n.row.date, g));
  for (const e of n.memberEvents) stmts.push(...memberEventStmts(db, botId, updateId, e, g));
  if (n.botRole) {
    const r = n.botRole;
    stmts.push(stmt(db, sql`UPDATE chats SET bot_role = ${r.status} WHERE bot_id = ${botId} AND chat_id = ${r.chatId} AND ${g}`));
    if (r.privateUserId !== undefined) {
      const blocked = r.status === "kicked" ? 1 : 0;
      stmts.push(
        stmt(db, sql`UPDATE tg_users SET blocked_bot = ${blocked} WHERE bot_id = ${botId} AND user_id = ${r.privateUserId} AND ${g}`),
      );
    }
  }
  const m = n.message;
  if (m && !n.isEdit) {
    if (typeof m.migrate_to_chat_id === "number") stmts.push(...migrateChatStmts(db, botId, m.chat.id, m.migrate_to_chat_id, m.chat, g));
    if (typeof m.migrate_from_chat_id === "number")
      stmts.push(...migrateChatStmts(db, botId, m.migrate_from_chat_id, m.chat.id, undefined, g));
  }
  const s = opts.session;
  const doneIf =
    opts.finish === "always"
      ? sql`1`
      : opts.finish === "unless-session" && s
        ? sql`NOT EXISTS (SELECT 1 FROM sessions WHERE bot_id = ${botId} AND chat_id = ${s.chatId} AND user_id = ${s.userId}
            AND expires_at > ${now})`
        : sql`0`;
  stmts.push(finishStoreStmt(db, botId, updateId, opts.token, doneIf));
  const stateIndex = stmts.length;
  stmts.push(stateStmt(db, botId, updateId, opts.token, s));
  return { stmts, senderIndex, stateIndex };
}
