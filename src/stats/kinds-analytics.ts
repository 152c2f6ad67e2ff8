// Analytics from reactions and invite links (tables in db/schema/kinds.ts, kept at ingest):
//   reactionsPerDay   net reactions per UTC day of the change (added minus removed)
//   reactedPosts      posts with their reactions (the anonymous totals channels get plus the
//                     users' own), newest first or most reacted first ("top reacted posts")
//   joinsByLink       joins and join requests per invite link, and the joins no link explains
//   topInviters       the invite links' creators by the joins their links brought
// A post's range is its own date (stored posts) or, for a post we never stored, the date of
// its last reaction; joins are counted by their date.
import { sql } from "drizzle-orm";
import type { Db } from "../env";
import type { DayCount } from "./analytics";
import { daysIn, startOfDay } from "./dates";
import type { StatsScope } from "./types";

const chatFilter = (s: StatsScope, col = sql`chat_id`) => (s.chatId === undefined ? sql`1` : sql`${col} = ${s.chatId}`);
const bounds = (s: StatsScope) => ({ lo: startOfDay(s.from), hi: startOfDay(s.to) + 86_399 });
const nameOf = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(" ") || null;

export async function reactionsPerDay(db: Db, s: StatsScope): Promise<DayCount[]> {
  const rows = await db.all<{ day: string; n: number }>(sql`
    SELECT day, sum(reactions) AS n FROM chat_reaction_daily
    WHERE bot_id = ${s.botId} AND ${chatFilter(s)} AND day >= ${s.from} AND day <= ${s.to} GROUP BY day`);
  const byDay = new Map(rows.map((r) => [r.day, Number(r.n)]));
  return daysIn(s).map((day) => ({ day, count: byDay.get(day) ?? 0 }));
}

export interface ReactedPost {
  chat_id: number;
  chat_title: string | null;
  message_id: number;
  /** The post's date when it is stored, else null. */
  date: number | null;
  text: string | null;
  total: number;
  /** Count per reaction: the emoji, "custom:<id>" or "paid". */
  reactions: Record<string, number>;
  last_reaction_at: number;
}

export async function reactedPosts(db: Db, s: StatsScope, opts: { order: "recent" | "top"; limit: number }): Promise<ReactedPost[]> {
  const { lo, hi } = bounds(s);
  const order = opts.order === "top" ? sql`p.total DESC, post_date DESC` : sql`post_date DESC, p.total DESC`;
  const rows = await db.all<{
    chat_id: number;
    chat_title: string | null;
    message_id: number;
    total: number;
    by_reaction: string;
    last: number;
    date: number | null;
    text: string | null;
    post_date: number;
  }>(sql`
    WITH r AS (
      SELECT chat_id, message_id, reaction, count AS n, date FROM message_reaction_counts WHERE bot_id = ${s.botId} AND ${chatFilter(s)}
      UNION ALL
      SELECT chat_id, message_id, reaction, count(*), max(date) FROM message_reactions WHERE bot_id = ${s.botId} AND ${chatFilter(s)}
      GROUP BY chat_id, message_id, reaction
    ), per AS (
      SELECT chat_id, message_id, reaction, sum(n) AS n, max(date) AS date FROM r GROUP BY chat_id, message_id, reaction
    ), p AS (
      SELECT chat_id, message_id, sum(n) AS total, json_group_object(reaction, n) AS by_reaction, max(date) AS last
      FROM per GROUP BY chat_id, message_id
    )
    SELECT p.chat_id, p.message_id, p.total, p.by_reaction, p.last, m.date, substr(m.text, 1, 200) AS text,
      coalesce(m.date, p.last) AS post_date, c.title AS chat_title
    FROM p LEFT JOIN messages m ON m.bot_id = ${s.botId} AND m.chat_id = p.chat_id AND m.message_id = p.message_id
    LEFT JOIN chats c ON c.bot_id = ${s.botId} AND c.chat_id = p.chat_id
    WHERE p.total > 0 AND coalesce(m.date, p.last) BETWEEN ${lo} AND ${hi}
    ORDER BY ${order}, p.chat_id, p.message_id LIMIT ${opts.limit}`);
  return rows.map((r) => ({
    chat_id: r.chat_id,
    chat_title: r.chat_title ?? null,
    message_id: r.message_id,
    date: r.date ?? null,
    text: r.text ?? null,
    total: Number(r.total),
    reactions: JSON.parse(r.by_reaction) as Record<string, number>,
    last_reaction_at: r.last,
  }));
}

export interface LinkJoins {
  /** The link as Telegram shows it; null for joins by request that name no link. */
  invite_link: string | null;
  name: string | null;
  creator_user_id: number | null;
  creator_name: string | null;
  creator_username: string | null;
  joins: number;
  /** Of the joins, how many came through an approved join request. */
  joins_via_request: number;
  requests: number;
}

export interface JoinsByLink {
  /** Every join in the range (joins/leaves rollup), and those no link or request explains. */
  joins_total: number;
  joins_without_link: number;
  links: LinkJoins[];
}

export async function joinsByLink(db: Db, s: StatsScope, limit: number): Promise<JoinsByLink> {
  const { lo, hi } = bounds(s);
  const links = await db.all<{
    invite_link: string | null;
    name: string | null;
    creator: number | null;
    first_name: string | null;
    last_name: string | null;
    username: string | null;
    joins: number;
    via: number;
    requests: number;
  }>(sql`
    SELECT g.*, u.first_name, u.last_name, u.username FROM (
      SELECT invite_link, max(link_name) AS name, max(creator_user_id) AS creator, sum(kind = 'join') AS joins,
        sum(kind = 'join' AND via_join_request) AS via, sum(kind = 'request') AS requests
      FROM invite_joins WHERE bot_id = ${s.botId} AND ${chatFilter(s)} AND date BETWEEN ${lo} AND ${hi} GROUP BY invite_link
    ) g LEFT JOIN tg_users u ON u.bot_id = ${s.botId} AND u.user_id = g.creator
    ORDER BY g.joins DESC, g.requests DESC, g.invite_link LIMIT ${limit}`);
  const total = await db.get<{ joins: number | null; linked: number | null }>(sql`
    SELECT (SELECT sum(joins) FROM chat_daily_activity WHERE bot_id = ${s.botId} AND ${chatFilter(s)}
              AND day >= ${s.from} AND day <= ${s.to}) AS joins,
           (SELECT count(*) FROM invite_joins WHERE bot_id = ${s.botId} AND ${chatFilter(s)} AND kind = 'join'
              AND date BETWEEN ${lo} AND ${hi}) AS linked`);
  const joinsTotal = Number(total?.joins ?? 0);
  return {
    joins_total: joinsTotal,
    joins_without_link: Math.max(0, joinsTotal - Number(total?.linked ?? 0)),
    links: links.map((l) => ({
      invite_link: l.invite_link,
      name: l.name,
      creator_user_id: l.creator,
      creator_name: nameOf(l.first_name, l.last_name),
      creator_username: l.username,
      joins: Number(l.joins),
      joins_via_request: Number(l.via),
      requests: Number(l.requests),
    })),
  };
}

export interface Inviter {
  user_id: number;
  name: string | null;
  username: string | null;
  joins: number;
  links: number;
  requests: number;
}

export async function topInviters(db: Db, s: StatsScope, limit: number): Promise<Inviter[]> {
  const { lo, hi } = bounds(s);
  const rows = await db.all<{
    user_id: number;
    first_name: string | null;
    last_name: string | null;
    username: string | null;
    joins: number;
    links: number;
    requests: number;
  }>(sql`
    SELECT j.creator_user_id AS user_id, u.first_name, u.last_name, u.username, sum(j.kind = 'join') AS joins,
      count(DISTINCT j.invite_link) AS links, sum(j.kind = 'request') AS requests
    FROM invite_joins j LEFT JOIN tg_users u ON u.bot_id = j.bot_id AND u.user_id = j.creator_user_id
    WHERE j.bot_id = ${s.botId} AND ${chatFilter(s, sql`j.chat_id`)} AND j.creator_user_id IS NOT NULL AND j.date BETWEEN ${lo} AND ${hi}
    GROUP BY j.creator_user_id ORDER BY joins DESC, requests DESC, j.creator_user_id LIMIT ${limit}`);
  return rows.map((r) => ({
    user_id: r.user_id,
    name: nameOf(r.first_name, r.last_name),
    username: r.username,
    joins: Number(r.joins),
    links: Number(r.links),
    requests: Number(r.requests),
  }));
}
