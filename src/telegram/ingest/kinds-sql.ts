// The group commit's statements for reactions and invite-link joins: one statement per table
// per batch, the rows as one JSON parameter expanded with json_each (like group-commit.ts),
// each row taken only if this commit recorded its update (`mine`).
//
// Same rows as one update per commit:
//  - an actor's reactions on a message (and a message's anonymous totals) are replaced by
//    each update, so only the batch's last update per key is written;
//  - the daily net of reactions adds each update's change: for a user, Telegram's
//    new_reaction minus old_reaction; for anonymous totals, the new total minus the one
//    before it (the previous update of the batch, or what is stored).
import { type SQL, sql } from "drizzle-orm";
import { stmt } from "../../db/d1";
import type { Db } from "../../env";
import { type Normalized, utcParts } from "./normalize";

const json = (rows: unknown[]) => JSON.stringify(rows);

/** The last of each key, in batch order. */
function lastPer<T>(rows: T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    m.delete(k);
    m.set(k, r);
  }
  return [...m.values()];
}

export function kindStmts(
  db: Db,
  botId: number,
  items: { updateId: number; n: Normalized }[],
  mine: (u: SQL) => SQL,
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];

  const changes = items.flatMap((i) => {
    const r = i.n.reaction;
    if (!r) return [];
    return [
      {
        u: i.updateId,
        c: r.chatId,
        m: r.messageId,
        a: r.actorId,
        ac: r.actorIsChat ? 1 : 0,
        d: r.date,
        now: r.now,
        net: r.now.length - r.old.length,
        day: utcParts(r.date).day,
      },
    ];
  });
  if (changes.length > 0) {
    const last = json(lastPer(changes, (r) => `${r.c}:${r.m}:${r.a}`));
    out.push(
      stmt(
        db,
        sql`DELETE FROM message_reactions WHERE bot_id = ${botId} AND (chat_id, message_id, actor_id) IN (
          SELECT json_extract(value, '$.c'), json_extract(value, '$.m'), json_extract(value, '$.a') FROM json_each(${last})
          WHERE ${mine(sql`json_extract(value, '$.u')`)})`,
      ),
      stmt(
        db,
        sql`INSERT INTO message_reactions (bot_id, chat_id, message_id, actor_id, actor_is_chat, reaction, date, update_id)
          SELECT ${botId}, json_extract(j.value, '$.c'), json_extract(j.value, '$.m'), json_extract(j.value, '$.a'),
            json_extract(j.value, '$.ac'), r.value, json_extract(j.value, '$.d'), json_extract(j.value, '$.u')
          FROM json_each(${last}) j, json_each(json_extract(j.value, '$.now')) r
          WHERE ${mine(sql`json_extract(j.value, '$.u')`)}
          ON CONFLICT DO NOTHING`,
      ),
      stmt(
        db,
        sql`INSERT INTO chat_reaction_daily (bot_id, chat_id, day, reactions)
          SELECT ${botId}, json_extract(value, '$.c') AS c, json_extract(value, '$.day') AS day, sum(json_extract(value, '$.net'))
          FROM json_each(${json(changes)}) WHERE ${mine(sql`json_extract(value, '$.u')`)} GROUP BY c, day
          ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET reactions = chat_reaction_daily.reactions + excluded.reactions`,
      ),
    );
  }

  const seen = new Map<string, number>();
  const totals = items.flatMap((i) => {
    const r = i.n.reactionCount;
    if (!r) return [];
    const key = `${r.chatId}:${r.messageId}`;
    const total = r.counts.reduce((n, x) => n + x.count, 0);
    const prev = seen.get(key) ?? null;
    seen.set(key, total);
    return [
      {
        u: i.updateId,
        c: r.chatId,
        m: r.messageId,
        d: r.date,
        day: utcParts(r.date).day,
        counts: r.counts.map((x) => [x.reaction, x.count]),
        total,
        prev,
      },
    ];
  });
  if (totals.length > 0) {
    const last = json(lastPer(totals, (r) => `${r.c}:${r.m}`));
    out.push(
      // Before the totals are replaced: the change against what is stored.
      stmt(
        db,
        sql`INSERT INTO chat_reaction_daily (bot_id, chat_id, day, reactions)
          SELECT ${botId}, j.c, j.day, sum(j.total - coalesce(j.prev, (SELECT coalesce(sum(x.count), 0) FROM message_reaction_counts x
            WHERE x.bot_id = ${botId} AND x.chat_id = j.c AND x.message_id = j.m)))
          FROM (SELECT json_extract(value, '$.u') AS u, json_extract(value, '$.c') AS c, json_extract(value, '$.m') AS m,
                  json_extract(value, '$.day') AS day, json_extract(value, '$.total') AS total, json_extract(value, '$.prev') AS prev
                FROM json_each(${json(totals)})) j
          WHERE ${mine(sql`j.u`)} GROUP BY j.c, j.day
          ON CONFLICT (bot_id, chat_id, day) DO UPDATE SET reactions = chat_reaction_daily.reactions + excluded.reactions`,
      ),
      stmt(
        db,
        sql`DELETE FROM message_reaction_counts WHERE bot_id = ${botId} AND (chat_id, message_id) IN (
          SELECT json_extract(value, '$.c'), json_extract(value, '$.m') FROM json_each(${last})
          WHERE ${mine(sql`json_extract(value, '$.u')`)})`,
      ),
      stmt(
        db,
        sql`INSERT INTO message_reaction_counts (bot_id, chat_id, message_id, reaction, count, date)
          SELECT ${botId}, json_extract(j.value, '$.c'), json_extract(j.value, '$.m'), json_extract(r.value, '$[0]'),
            json_extract(r.value, '$[1]'), json_extract(j.value, '$.d')
          FROM json_each(${last}) j, json_each(json_extract(j.value, '$.counts')) r
          WHERE json_extract(r.value, '$[1]') > 0 AND ${mine(sql`json_extract(j.value, '$.u')`)}
          ON CONFLICT DO NOTHING`,
      ),
    );
  }

  const invites = items.flatMap((i) => {
    const v = i.n.invite;
    if (!v) return [];
    return [
      { u: i.updateId, c: v.chatId, usr: v.userId, k: v.kind, l: v.link, n: v.name, cr: v.creatorId, vr: v.viaRequest ? 1 : 0, d: v.date },
    ];
  });
  if (invites.length > 0) {
    out.push(
      stmt(
        db,
        sql`INSERT INTO invite_joins (bot_id, chat_id, user_id, kind, invite_link, link_name, creator_user_id, via_join_request, date, update_id)
          SELECT ${botId}, json_extract(value, '$.c'), json_extract(value, '$.usr'), json_extract(value, '$.k'), json_extract(value, '$.l'),
            json_extract(value, '$.n'), json_extract(value, '$.cr'), json_extract(value, '$.vr'), json_extract(value, '$.d'), json_extract(value, '$.u')
          FROM json_each(${json(invites)}) WHERE ${mine(sql`json_extract(value, '$.u')`)} ORDER BY key
          ON CONFLICT DO NOTHING`,
      ),
    );
  }
  return out;
}
