// Group commit: a batch of updates stored in ONE atomic D1 batch whose statement count does
// not grow with the batch. Each table gets one statement; its rows travel as one JSON
// parameter expanded with json_each (D1 allows 100 bound parameters per statement, not rows).
//
// Exactly once: the first statement records every update of the batch in processed_updates
// under this commit's random token (INSERT ... ON CONFLICT DO NOTHING), and every later
// statement takes only the rows of updates recorded under that token. A batch that is
// committed again (the coordinator died before noting the commit) writes nothing twice.
//
// Same rows as storing the updates one by one (tests/integration/group-commit.test.ts):
//  - counts are aggregated per key (GROUP BY) and added, so the bot-wide rollup triggers
//    see the same deltas;
//  - message inserts run before edits, so an edit of a message in the same batch applies;
//  - joins reported twice within a minute (chat_member + new_chat_members) are dropped here
//    across the batch, and by NOT EXISTS against what is already stored;
//  - the bot's role and a private user's block flag take the batch's last value;
//  - reactions, reaction totals and invite joins follow the same rules (kinds-sql.ts);
//  - a supergroup migration is the last update of its batch (the drain cuts batches after
//    one), so its statements, appended last, see exactly what the one-by-one path saw.
import { type SQL, sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import { stmt } from "../../db/d1";
import type { Db } from "../../env";
import { kindStmts } from "./kinds-sql";
import { insertMessagesStmt, messageJson } from "./message-rows-sql";
import { migrateChatStmts } from "./migrate";
import type { MemberEvent, Normalized } from "./normalize";
import { utcParts } from "./normalize";

export interface BatchItem {
  updateId: number;
  n: Normalized;
}

export interface GroupCommit {
  stmts: D1PreparedStatement[];
  /** Result index of the senders' language and preferences. */
  sendersIndex: number;
  /** Result index of the dialog sessions asked for. */
  sessionsIndex: number;
}

/** True when an update's storing moves a chat (it must end its batch). */
export function carriesMigration(n: Normalized): boolean {
  const m = n.message;
  return Boolean(m && !n.isEdit && (typeof m.migrate_to_chat_id === "number" || typeof m.migrate_from_chat_id === "number"));
}

const json = (rows: unknown[]) => JSON.stringify(rows);

/**
 * When a chat or user was seen: the update's own date (a redelivery hours late, or a history
 * replayed, still dates a chat by when it spoke), never later than now.
 */
function seenAt(n: Normalized, now: number): number {
  const date = n.row?.date;
  return typeof date === "number" && Number.isInteger(date) && date > 0 && date < now ? date : now;
}

/** Joins already reported by an earlier update of the batch within a minute are not recorded again. */
function dedupeMemberEvents(items: BatchItem[]): { u: number; e: MemberEvent }[] {
  const kept: { u: number; e: MemberEvent }[] = [];
  for (const it of items) {
    for (const e of it.n.memberEvents) {
      const twin = kept.some(
        (k) =>
          k.u !== it.updateId &&
          k.e.chatId === e.chatId &&
          k.e.userId === e.userId &&
          k.e.event === e.event &&
          Math.abs(k.e.date - e.date) <= 60,
      );
      const same = kept.some((k) => k.u === it.updateId && k.e.chatId === e.chatId && k.e.userId === e.userId && k.e.event === e.event);
      if (!twin && !same) kept.push({ u: it.updateId, e });
    }
  }
  return kept;
}

export function buildGroupCommit(
  db: Db,
  botId: number,
  items: BatchItem[],
  opts: { token: string; sessions: { chatId: number; userId: number }[]; senders: number[] },
): GroupCommit {
  const now = nowSeconds();
  const { token } = opts;
  // "This commit recorded update j.u": the guard of every statement after the first.
  const mine = (u: SQL) =>
    sql`EXISTS (SELECT 1 FROM processed_updates p WHERE p.bot_id = ${botId} AND p.update_id = ${u} AND json_extract(p.effects, '$.claim') = ${token})`;
  const stmts: D1PreparedStatement[] = [];

  stmts.push(
    stmt(
      db,
      sql`
      INSERT INTO processed_updates (bot_id, update_id, status, lease_until, attempts, effects, update_type, received_at, done_at)
      SELECT ${botId}, json_extract(value, '$.u'), 'done', 0, 1, json_object('claim', ${token}), json_extract(value, '$.t'), ${now}, ${now}
      FROM json_each(${json(items.map((i) => ({ u: i.updateId, t: i.n.type })))}) WHERE true
      ON CONFLICT (bot_id, update_id) DO NOTHING`,
    ),
  );

  const chats = items.flatMap((i) => {
    const c = i.n.chat as (Record<string, unknown> & { id: number; type: string }) | undefined;
    if (!c) return [];
    return [
      {
        u: i.updateId,
        id: c.id,
        type: c.type,
        title: c.title ?? null,
        username: c.username ?? null,
        first: c.first_name ?? null,
        last: c.last_name ?? null,
        forum: c.is_forum ? 1 : 0,
        at: seenAt(i.n, now),
      },
    ];
  });
  if (chats.length > 0) {
    stmts.push(
      stmt(
        db,
        sql`
        INSERT INTO chats (bot_id, chat_id, type, title, username, first_name, last_name, is_forum, first_seen_at, last_seen_at)
        SELECT ${botId}, j.id, j.type, j.title, j.username, j.first, j.last, j.forum, j.at, j.at
        FROM (SELECT key AS k, json_extract(value, '$.u') AS u, json_extract(value, '$.id') AS id, json_extract(value, '$.type') AS type,
                json_extract(value, '$.at') AS at,
                json_extract(value, '$.title') AS title, json_extract(value, '$.username') AS username,
                json_extract(value, '$.first') AS first, json_extract(value, '$.last') AS last, json_extract(value, '$.forum') AS forum
              FROM json_each(${json(chats)})) j
        WHERE ${mine(sql`j.u`)} ORDER BY j.k
        ON CONFLICT (bot_id, chat_id) DO UPDATE SET
          type = excluded.type,
          title = coalesce(excluded.title, chats.title),
          username = excluded.username,
          first_name = coalesce(excluded.first_name, chats.first_name),
          last_name = coalesce(excluded.last_name, chats.last_name),
          is_forum = excluded.is_forum,
          first_seen_at = min(chats.first_seen_at, excluded.first_seen_at),
          last_seen_at = max(chats.last_seen_at, excluded.last_seen_at)`,
      ),
    );
  }

  const users = items.flatMap((i) =>
    i.n.users.map((u) => ({
      u: i.updateId,
      id: u.id,
      first: u.first_name ?? "",
      last: u.last_name ?? null,
      username: u.username ?? null,
      lang: u.language_code ?? null,
      bot: u.is_bot ? 1 : 0,
      at: seenAt(i.n, now),
    })),
  );
  if (users.length > 0) {
    stmts.push(
      stmt(
        db,
        sql`
        INSERT INTO tg_users (bot_id, user_id, first_name, last_name, username, language_code, is_bot, first_seen_at, last_seen_at)
        SELECT ${botId}, j.id, j.first, j.last, j.username, j.lang, j.bot, j.at, j.at
        FROM (SELECT key AS k, json_extract(value, '$.u') AS u, json_extract(value, '$.id') AS id, json_extract(value, '$.first') AS first,
                json_extract(value, '$.at') AS at,
                json_extract(value, '$.last') AS last, json_extract(value, '$.username') AS username,
                json_extract(value, '$.lang') AS lang, json_extract(value, '$.bot') AS bot
              FROM json_each(${json(users)})) j
        WHERE ${mine(sql`j.u`)} ORDER BY j.k
        ON CONFLICT (bot_id, user_id) DO UPDATE SET
          first_name = excluded.first_name,
          last_name = excluded.last_name,
          username = excluded.username,
          language_code = coalesce(excluded.language_code, tg_users.language_code),
          first_seen_at = min(tg_users.first_seen_at, excluded.first_seen_at),
          last_seen_at = max(tg_users.last_seen_at, excluded.last_seen_at)`,
      ),
    );
  }

  const rowsOf = (edits: boolean) =>
    items.flatMap((i) => (i.n.row && i.n.isEdit === edits ? [{ u: i.updateId, ...messageJson(i.n.row) }] : []));
  const inserts = rowsOf(false);
  if (inserts.length > 0) stmts.push(insertMessagesStmt(db, botId, inserts, "in", false, mine));
  const edits = rowsOf(true);
  if (edits.length > 0) stmts.push(insertMessagesStmt(db, botId, edits, "in", true, mine));

  // Rollups: one aggregated upsert per table, over the counted messages of updates this commit recorded.
  const counted = items.flatMap((i) => {
    const r = i.n.row;
    if (!i.n.countsAsMessage || !r) return [];
    const p = utcParts(r.date);
    return [{ u: i.updateId, c: r.chatId, user: r.fromUserId, day: p.day, wd: p.weekday, h: p.hour }];
  });
  if (counted.length > 0) {
    const param = json(counted);
    const cols = sql`json_extract(value, '$.u') AS u, json_extract(value, '$.c') AS c, json_extract(value, '$.user') AS usr,
      json_extract(value, '$.day') AS day, json_extract(value, '$.wd') AS wd, json_extract(value, '$.h') AS h`;
    stmts.push(
      stmt(
        db,
        sql`
        INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages)
        SELECT ${botId}, j.c, j.day, j.usr, count(*) FROM (SELECT ${cols} FROM json_each(${param})) j
        WHERE j.usr IS NOT NULL AND ${mine(sql`j.u`)} GROUP BY j.c, j.day, j.usr
        ON CONFLICT (bot_id, chat_id, day, user_id) DO UPDATE SET messages = chat_user_daily.messages + excluded.messages`,
      ),
      stmt(
        db,
        sql`
        INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users)
        SELECT ${botId}, j.c, j.day, count(*),
          (SELECT count(*) FROM chat_user_daily d WHERE d.bot_id = ${botId} AND d.chat_id = j.c AND d.day = j.day)
        FROM (SELECT ${cols} FROM json_each(${param})) j
        WHERE ${mine(sql`j.u`)} GROUP BY j.c, j.day
        ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET
          messages = chat_daily_activity.messages + excluded.messages, active_users = excluded.active_users`,
      ),
      stmt(
        db,
        sql`
        INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages)
        SELECT ${botId}, j.c, j.wd, j.h, count(*) FROM (SELECT ${cols} FROM json_each(${param})) j
        WHERE ${mine(sql`j.u`)} GROUP BY j.c, j.wd, j.h
        ON CONFLICT (bot_id, chat_id, weekday, hour) DO UPDATE SET messages = chat_hourly_activity.messages + excluded.messages`,
      ),
    );
  }

  const events = dedupeMemberEvents(items).map(({ u, e }) => ({ u, c: e.chatId, usr: e.userId, ev: e.event, d: e.date }));
  if (events.length > 0) {
    stmts.push(
      stmt(
        db,
        sql`
        INSERT INTO member_events (bot_id, chat_id, user_id, event, date, update_id)
        SELECT ${botId}, j.c, j.usr, j.ev, j.d, j.u
        FROM (SELECT key AS k, json_extract(value, '$.u') AS u, json_extract(value, '$.c') AS c, json_extract(value, '$.usr') AS usr,
                json_extract(value, '$.ev') AS ev, json_extract(value, '$.d') AS d FROM json_each(${json(events)})) j
        WHERE ${mine(sql`j.u`)} AND NOT EXISTS (
          SELECT 1 FROM member_events m WHERE m.bot_id = ${botId} AND m.chat_id = j.c AND m.user_id = j.usr
            AND m.event = j.ev AND abs(m.date - j.d) <= 60 AND coalesce(m.update_id, -1) != j.u
        ) AND NOT EXISTS (
          SELECT 1 FROM member_events m WHERE m.bot_id = ${botId} AND m.chat_id = j.c AND m.user_id = j.usr AND m.event = j.ev AND m.update_id = j.u
        ) ORDER BY j.k`,
      ),
      // Counted from what was recorded just now (this commit's updates), so a dropped twin is not counted.
      stmt(
        db,
        sql`
        INSERT INTO chat_daily_activity (bot_id, chat_id, day, joins, leaves)
        SELECT ${botId}, m.chat_id, strftime('%Y-%m-%d', m.date, 'unixepoch'), sum(m.event = 'join'), sum(m.event = 'leave')
        FROM member_events m
        WHERE m.bot_id = ${botId} AND m.update_id IN (SELECT json_extract(value, '$.u') FROM json_each(${json(events)}))
          AND ${mine(sql`m.update_id`)}
        GROUP BY m.chat_id, strftime('%Y-%m-%d', m.date, 'unixepoch')
        ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET
          joins = chat_daily_activity.joins + excluded.joins, leaves = chat_daily_activity.leaves + excluded.leaves`,
      ),
    );
  }

  const roles = items.flatMap((i) =>
    i.n.botRole ? [{ u: i.updateId, c: i.n.botRole.chatId, s: i.n.botRole.status, p: i.n.botRole.privateUserId ?? null }] : [],
  );
  if (roles.length > 0) {
    const param = json(roles);
    const latest = (match: SQL, field: string) =>
      sql`(SELECT json_extract(value, ${`$.${field}`}) FROM json_each(${param}) r
           WHERE ${match} AND ${mine(sql`json_extract(r.value, '$.u')`)} ORDER BY r.key DESC LIMIT 1)`;
    stmts.push(
      stmt(
        db,
        sql`UPDATE chats SET bot_role = ${latest(sql`json_extract(r.value, '$.c') = chats.chat_id`, "s")}
          WHERE bot_id = ${botId} AND chat_id IN (SELECT json_extract(value, '$.c') FROM json_each(${param}) r WHERE ${mine(sql`json_extract(r.value, '$.u')`)})`,
      ),
      stmt(
        db,
        sql`UPDATE tg_users SET blocked_bot = (${latest(sql`json_extract(r.value, '$.p') = tg_users.user_id`, "s")} = 'kicked')
          WHERE bot_id = ${botId} AND user_id IN (SELECT json_extract(value, '$.p') FROM json_each(${param}) r
            WHERE json_extract(r.value, '$.p') IS NOT NULL AND ${mine(sql`json_extract(r.value, '$.u')`)})`,
      ),
    );
  }

  stmts.push(...kindStmts(db, botId, items, mine));

  for (const i of items) {
    const m = i.n.message;
    if (!m || i.n.isEdit) continue;
    const g = mine(sql`${i.updateId}`);
    if (typeof m.migrate_to_chat_id === "number") stmts.push(...migrateChatStmts(db, botId, m.chat.id, m.migrate_to_chat_id, m.chat, g));
    if (typeof m.migrate_from_chat_id === "number")
      stmts.push(...migrateChatStmts(db, botId, m.migrate_from_chat_id, m.chat.id, undefined, g));
  }

  // Reads for handling the batch, in the same round trip: the senders' language and
  // preferences, and the dialog sessions that may be waiting.
  const sendersIndex = stmts.length;
  stmts.push(
    stmt(
      db,
      sql`SELECT user_id, language_code, preferences FROM tg_users
        WHERE bot_id = ${botId} AND user_id IN (SELECT value FROM json_each(${json(opts.senders)}))`,
    ),
  );
  const sessionsIndex = stmts.length;
  stmts.push(
    stmt(
      db,
      sql`SELECT chat_id, user_id, data FROM sessions WHERE bot_id = ${botId} AND expires_at > ${now}
        AND (chat_id, user_id) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${json(opts.sessions.map((s) => [s.chatId, s.userId]))}))`,
    ),
  );
  return { stmts, sendersIndex, sessionsIndex };
}
