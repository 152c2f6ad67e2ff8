// History from chat_snapshots: member count over time and growth per day or week,
// for one chat or summed over a bot's chats.
//
// A day's value for a chat is its last successful snapshot that day; a day without one
// carries the previous value forward (a failed collection is not a drop to zero).
// Growth of a bucket = its end value minus the previous bucket's end value (for the first
// bucket: the last value before the range, else the chat's first value in the range).
// For a bot, both are summed over its chats: a chat first snapshotted inside the range adds
// its members to member_count from then on, but not to change (it did not grow, we started counting).
import { and, asc, eq, gte, isNull, lt, lte, sql } from "drizzle-orm";
import { chatSnapshots } from "../db/schema";
import type { Db } from "../env";
import { dayOf, daysIn, startOfDay, weekOf } from "./dates";
import type { StatsScope } from "./types";

export interface SnapshotPoint {
  /** period_start of the snapshot (unix seconds). */
  t: number;
  day: string;
  member_count: number | null;
  admin_count: number | null;
  bot_role: string | null;
  error: string | null;
}

export interface DayPoint {
  day: string;
  /** Sum over the chats known by that day (null: none known yet). */
  member_count: number | null;
  chats: number;
}

export interface MemberHistory {
  bot_id: number;
  chat_id: number | null;
  from: string;
  to: string;
  /** Every snapshot of the chat (chat scope); empty for a bot. */
  snapshots: SnapshotPoint[];
  /** One point per day of the range. */
  days: DayPoint[];
}

export interface GrowthPoint {
  /** The bucket: a day, or the Monday starting an ISO week. */
  period: string;
  member_count: number | null;
  change: number | null;
}

export interface Growth {
  bot_id: number;
  chat_id: number | null;
  by: "day" | "week";
  from: string;
  to: string;
  points: GrowthPoint[];
  total_change: number;
}

const scopeWhere = (s: StatsScope) =>
  s.chatId === undefined ? eq(chatSnapshots.botId, s.botId) : and(eq(chatSnapshots.botId, s.botId), eq(chatSnapshots.chatId, s.chatId));

/** Member count over time: the chat's snapshots, and a daily series (for a bot: summed over its chats). */
export async function memberHistory(db: Db, scope: StatsScope): Promise<MemberHistory> {
  const fromTs = startOfDay(scope.from);
  const toTs = startOfDay(scope.to) + 86_399;
  const snapshots =
    scope.chatId === undefined
      ? []
      : (
          await db
            .select()
            .from(chatSnapshots)
            .where(and(scopeWhere(scope), gte(chatSnapshots.periodStart, fromTs), lte(chatSnapshots.periodStart, toTs)))
            .orderBy(asc(chatSnapshots.periodStart))
            .all()
        ).map((s) => ({
          t: s.periodStart,
          day: dayOf(s.periodStart),
          member_count: s.memberCount,
          admin_count: s.adminCount,
          bot_role: s.botRole,
          error: s.error,
        }));
  const { days } = await dailySeries(db, scope);
  return { bot_id: scope.botId, chat_id: scope.chatId ?? null, from: scope.from, to: scope.to, snapshots, days };
}

/** Growth per day or per ISO week (weeks start on Monday, UTC). */
export async function growth(db: Db, scope: StatsScope & { by: "day" | "week" }): Promise<Growth> {
  const { perChat, baseline } = await dailySeries(db, scope);
  const days = daysIn(scope);
  const bucketOf = (d: string) => (scope.by === "week" ? weekOf(d) : d);
  const buckets: string[] = [];
  for (const d of days) if (buckets[buckets.length - 1] !== bucketOf(d)) buckets.push(bucketOf(d));

  const points: GrowthPoint[] = buckets.map((period) => ({ period, member_count: null, change: null }));
  for (const [chatId, values] of perChat) {
    let prevEnd: number | undefined = baseline.get(chatId);
    let current = prevEnd;
    let b = 0;
    for (const [i, d] of days.entries()) {
      const v = values.get(d);
      if (v !== undefined) {
        prevEnd ??= v; // no value before the range: growth counts from the first one
        current = v;
      }
      const isBucketEnd = i === days.length - 1 || bucketOf(days[i + 1]!) !== bucketOf(d);
      if (!isBucketEnd) continue;
      const p = points[b++]!;
      if (current !== undefined && prevEnd !== undefined) {
        p.member_count = (p.member_count ?? 0) + current;
        p.change = (p.change ?? 0) + (current - prevEnd);
        prevEnd = current;
      }
    }
  }
  const total = points.reduce((n, p) => n + (p.change ?? 0), 0);
  return { bot_id: scope.botId, chat_id: scope.chatId ?? null, by: scope.by, from: scope.from, to: scope.to, points, total_change: total };
}

/** Per chat: day -> last successful member count that day; plus each chat's last value before the range. */
async function dailySeries(db: Db, scope: StatsScope) {
  const fromTs = startOfDay(scope.from);
  const toTs = startOfDay(scope.to) + 86_399;
  const ok = and(scopeWhere(scope), isNull(chatSnapshots.error), sql`${chatSnapshots.memberCount} is not null`);
  // SQLite: with MAX() in the select list, the bare columns come from the row holding the maximum.
  const [inRange, before] = await Promise.all([
    db
      .select({
        chatId: chatSnapshots.chatId,
        day: sql<string>`date(${chatSnapshots.periodStart}, 'unixepoch')`,
        memberCount: chatSnapshots.memberCount,
        last: sql<number>`max(${chatSnapshots.periodStart})`,
      })
      .from(chatSnapshots)
      .where(and(ok, gte(chatSnapshots.periodStart, fromTs), lte(chatSnapshots.periodStart, toTs)))
      .groupBy(chatSnapshots.chatId, sql`date(${chatSnapshots.periodStart}, 'unixepoch')`)
      .all(),
    db
      .select({
        chatId: chatSnapshots.chatId,
        memberCount: chatSnapshots.memberCount,
        last: sql<number>`max(${chatSnapshots.periodStart})`,
      })
      .from(chatSnapshots)
      .where(and(ok, lt(chatSnapshots.periodStart, fromTs)))
      .groupBy(chatSnapshots.chatId)
      .all(),
  ]);
  const perChat = new Map<number, Map<string, number>>();
  for (const r of inRange) {
    if (!perChat.has(r.chatId)) perChat.set(r.chatId, new Map());
    perChat.get(r.chatId)!.set(r.day, Number(r.memberCount));
  }
  const baseline = new Map<number, number>();
  for (const r of before) {
    baseline.set(r.chatId, Number(r.memberCount));
    if (!perChat.has(r.chatId)) perChat.set(r.chatId, new Map());
  }

  const days: DayPoint[] = daysIn(scope).map((day) => ({ day, member_count: null, chats: 0 }));
  for (const [chatId, values] of perChat) {
    let current = baseline.get(chatId);
    for (const p of days) {
      current = values.get(p.day) ?? current;
      if (current === undefined) continue;
      p.member_count = (p.member_count ?? 0) + current;
      p.chats++;
    }
  }
  return { perChat, baseline, days };
}
