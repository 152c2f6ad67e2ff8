// Message rows as one JSON parameter for one INSERT (json_each), shared by the group commit
// (incoming updates) and the outgoing messages a batch's replies store.
import type { Message } from "@grammyjs/types";
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import { stmt } from "../../db/d1";
import type { Db } from "../../env";
import { messageRow } from "./message-row";
import type { Normalized } from "./normalize";

const json = (rows: unknown[]) => JSON.stringify(rows);

type MessageJson = ReturnType<typeof messageJson>;

export function messageJson(r: NonNullable<Normalized["row"]>) {
  return {
    c: r.chatId,
    mid: r.messageId,
    fu: r.fromUserId,
    sc: r.senderChatId,
    th: r.threadId,
    d: r.date,
    ed: r.editDate,
    kind: r.kind,
    st: r.serviceType,
    text: r.text,
    ent: r.entities ? JSON.stringify(r.entities) : null,
    mt: r.mediaType,
    fid: r.fileId,
    cq: r.callbackQueryId,
    cd: r.callbackData,
    rt: r.replyToMessageId,
    raw: JSON.stringify(r.raw ?? null),
  };
}

/**
 * Messages in one statement: `rows` each carry `u` (their update id, or null for our own
 * outgoing messages); `guard` limits them to updates this commit recorded.
 */
export function insertMessagesStmt(
  db: Db,
  botId: number,
  rows: (MessageJson & { u: number | null })[],
  direction: "in" | "out",
  isEdit: boolean,
  guard?: (u: SQL) => SQL,
): D1PreparedStatement {
  const onConflict = isEdit
    ? sql`ON CONFLICT (bot_id, chat_id, message_id) DO UPDATE SET text = excluded.text, entities = excluded.entities,
        edit_date = excluded.edit_date, media_type = coalesce(excluded.media_type, messages.media_type),
        file_id = coalesce(excluded.file_id, messages.file_id), raw = excluded.raw`
    : sql`ON CONFLICT DO NOTHING`;
  const f = (k: string) => sql.raw(`json_extract(value, '$.${k}') AS ${k}`);
  return stmt(
    db,
    sql`
    INSERT INTO messages (bot_id, chat_id, message_id, update_id, from_user_id, sender_chat_id, thread_id, date, edit_date, kind,
      service_type, text, entities, media_type, file_id, callback_query_id, callback_data, reply_to_message_id, direction, raw, created_at)
    SELECT ${botId}, j.c, j.mid, j.u, j.fu, j.sc, j.th, j.d, j.ed, j.kind, j.st, j.text, j.ent, j.mt, j.fid, j.cq, j.cd, j.rt,
      ${direction}, j.raw, ${nowSeconds()}
    FROM (SELECT key AS k, ${f("u")}, ${f("c")}, ${f("mid")}, ${f("fu")}, ${f("sc")}, ${f("th")}, ${f("d")},
            ${f("ed")}, ${f("kind")}, ${f("st")}, ${f("text")}, ${f("ent")}, ${f("mt")}, ${f("fid")}, ${f("cq")}, ${f("cd")}, ${f("rt")}, ${f("raw")}
          FROM json_each(${json(rows)})) j
    WHERE ${guard ? guard(sql`j.u`) : sql`true`} ORDER BY j.k
    ${onConflict}`,
  );
}

/** Our own sent messages, as outgoing rows, with their chats created if new: two statements for any number. */
export function outgoingGroupStmts(db: Db, botId: number, sent: Message[]): D1PreparedStatement[] {
  if (sent.length === 0) return [];
  const now = nowSeconds();
  const chats = [...new Map(sent.map((m) => [m.chat.id, m.chat])).values()].map((c) => {
    const x = c as typeof c & { title?: string; username?: string; first_name?: string };
    return { id: x.id, type: x.type, title: x.title ?? null, username: x.username ?? null, first: x.first_name ?? null };
  });
  return [
    stmt(
      db,
      sql`
      INSERT INTO chats (bot_id, chat_id, type, title, username, first_name, first_seen_at, last_seen_at)
      SELECT ${botId}, json_extract(value, '$.id'), json_extract(value, '$.type'), json_extract(value, '$.title'),
        json_extract(value, '$.username'), json_extract(value, '$.first'), ${now}, ${now}
      FROM json_each(${json(chats)}) WHERE true
      ON CONFLICT (bot_id, chat_id) DO NOTHING`,
    ),
    insertMessagesStmt(
      db,
      botId,
      sent.map((m) => ({ u: null, ...messageJson(outgoingRow(m)) })),
      "out",
      false,
    ),
  ];
}

function outgoingRow(m: Message) {
  return messageRow(m, m.chat.type === "channel" ? "channel_post" : "message");
}
