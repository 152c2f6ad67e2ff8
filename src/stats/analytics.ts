// Group analytics read only from the rollups ingest maintains (never from messages), so a
// query costs the same at 10 thousand or 10 million stored messages:
//   chat_daily_activity  messages, joins, leaves per chat per UTC day
//   chat_user_daily      messages per user per chat per day (a row = an active user that day)
//   chat_hourly_activity messages per UTC weekday x hour per chat (all time: it has no dates)
// For a bot, figures are summed over its chats; active users are counted once per day
// even when they wrote in several chats.
import { and, desc, eq, gte, lte, sql } from "drizzle-orm";
import { chatDailyActivity, chatHourlyActivity, chatUserDaily, tgUsers } from "../db/schema";
import type { Db } from "../env";
import { daysIn } from "./dates";
import type { StatsScope } from "./types";

export interface DayCount {
  day: string;
  count: number;
}

export interface JoinsLeavesDay {
  day: string;
  joins: number;
  leaves: number;
  net: number;
}

export interface Heatmap {
  /** cells[weekday][hour]: weekday 0 = Sunday .. 6 = Saturday, hour 0..23, UTC. */
  cells: number[][];
  max: number;
  total: number;
  /** The rollup has no dates: the heatmap covers all stored history, whatever the range. */
  range: "all_time";
}

export interface TopPoster {
  user_id: number;
  name: string | null;
  username: string | null;
  messages: number;
  /** Days in the range this user wrote at least one message. */
  active_days: number;
}

export interface AnalyticsSummary {
  bot_id: number;
  chat_id: number | null;
  from: string;
  to: string;
  totals: { messages: number; joins: number; leaves: number; active_users: number };
  messages_per_day: DayCount[];
  active_users_per_day: DayCount[];
  joins_leaves_per_day: JoinsLeavesDay[];
  heatmap: Heatmap;
  top_posters: TopPoster[];
}

const daily = (s: StatsScope) =>
  and(
    eq(chatDailyActivity.botId, s.botId),
    s.chatId === undefined ? undefined : eq(chatDailyActivity.chatId, s.chatId),
    gte(chatDailyActivity.day, s.from),
    lte(chatDailyActivity.day, s.to),
  );
const perUser = (s: StatsScope) =>
  and(
    eq(chatUserDaily.botId, s.botId),
    s.chatId === undefined ? undefined : eq(chatUserDaily.chatId, s.chatId),
    gte(chatUserDaily.day, s.from),
    lte(chatUserDaily.day, s.to),
  );

/** Every day of the range with its value (0 when the rollup has no row). */
function fill<T>(scope: StatsScope, rows: Map<string, T>, empty: (day: string) => T): T[] {
  return daysIn(scope).map((d) => rows.get(d) ?? empty(d));
}

export async function messagesPerDay(db: Db, scope: StatsScope): Promise<DayCount[]> {
  const rows = await db
    .select({ day: chatDailyActivity.day, count: sql<number>`sum(${chatDailyActivity.messages})` })
    .from(chatDailyActivity)
    .where(daily(scope))
    .groupBy(chatDailyActivity.day)
    .all();
  return fill(scope, new Map(rows.map((r) => [r.day, { day: r.day, count: Number(r.count) }])), (day) => ({ day, count: 0 }));
}

export async function activeUsersPerDay(db: Db, scope: StatsScope): Promise<DayCount[]> {
  const rows = await db
    .select({ day: chatUserDaily.day, count: sql<number>`count(distinct ${chatUserDaily.userId})` })
    .from(chatUserDaily)
    .where(perUser(scope))
    .groupBy(chatUserDaily.day)
    .all();
  return fill(scope, new Map(rows.map((r) => [r.day, { day: r.day, count: Number(r.count) }])), (day) => ({ day, count: 0 }));
}

export async function joinsLeavesPerDay(db: Db, scope: StatsScope): Promise<JoinsLeavesDay[]> {
  const rows = await db
    .select({
      day: chatDailyActivity.day,
      joins: sql<number>`sum(${chatDailyActivity.joins})`,
      leaves: sql<number>`sum(${chatDailyActivity.leaves})`,
    })
    .from(chatDailyActivity)
    .where(daily(scope))
    .groupBy(chatDailyActivity.day)
    .all();
  const byDay = new Map(
    rows.map((r) => [r.day, { day: r.day, joins: Number(r.joins), leaves: Number(r.leaves), net: Number(r.joins) - Number(r.leaves) }]),
  );
  return fill(scope, byDay, (day) => ({ day, joins: 0, leaves: 0, net: 0 }));
}

/** Hour x weekday message counts (UTC), over all stored history. */
export async function activityHeatmap(db: Db, scope: Pick<StatsScope, "botId" | "chatId">): Promise<Heatmap> {
  const rows = await db
    .select({ weekday: chatHourlyActivity.weekday, hour: chatHourlyActivity.hour, count: sql<number>`sum(${chatHourlyActivity.messages})` })
    .from(chatHourlyActivity)
    .where(
      and(eq(chatHourlyActivity.botId, scope.botId), scope.chatId === undefined ? undefined : eq(chatHourlyActivity.chatId, scope.chatId)),
    )
    .groupBy(chatHourlyActivity.weekday, chatHourlyActivity.hour)
    .all();
  const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  let max = 0;
  let total = 0;
  for (const r of rows) {
    const row = cells[r.weekday];
    if (!row || r.hour < 0 || r.hour > 23) continue;
    row[r.hour] = Number(r.count);
    max = Math.max(max, Number(r.count));
    total += Number(r.count);
  }
  return { cells, max, total, range: "all_time" };
}

/** The users with the most messages in the range, with their names from tg_users. */
export async function topPosters(db: Db, scope: StatsScope, limit = 10): Promise<TopPoster[]> {
  const messages = sql<number>`sum(${chatUserDaily.messages})`;
  const rows = await db
    .select({
      userId: chatUserDaily.userId,
      messages,
      activeDays: sql<number>`count(distinct ${chatUserDaily.day})`,
      firstName: tgUsers.firstName,
      lastName: tgUsers.lastName,
      username: tgUsers.username,
    })
    .from(chatUserDaily)
    .leftJoin(tgUsers, and(eq(tgUsers.botId, chatUserDaily.botId), eq(tgUsers.userId, chatUserDaily.userId)))
    .where(perUser(scope))
    .groupBy(chatUserDaily.userId)
    .orderBy(desc(messages), chatUserDaily.userId)
    .limit(Math.min(Math.max(limit, 1), 100))
    .all();
  return rows.map((r) => ({
    user_id: r.userId,
    name: [r.firstName, r.lastName].filter(Boolean).join(" ") || null,
    username: r.username ?? null,
    messages: Number(r.messages),
    active_days: Number(r.activeDays),
  }));
}

/** Everything the dashboard's analytics panel shows, in one call. */
export async function analyticsSummary(db: Db, scope: StatsScope, opts: { top?: number } = {}): Promise<AnalyticsSummary> {
  const [messages, active, joinsLeaves, heatmap, top, distinctUsers] = await Promise.all([
    messagesPerDay(db, scope),
    activeUsersPerDay(db, scope),
    joinsLeavesPerDay(db, scope),
    activityHeatmap(db, scope),
    topPosters(db, scope, opts.top ?? 10),
    db
      .select({ n: sql<number>`count(distinct ${chatUserDaily.userId})` })
      .from(chatUserDaily)
      .where(perUser(scope))
      .get(),
  ]);
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
  return {
    bot_id: scope.botId,
    chat_id: scope.chatId ?? null,
    from: scope.from,
    to: scope.to,
    totals: {
      messages: sum(messages, (d) => d.count),
      joins: sum(joinsLeaves, (d) => d.joins),
      leaves: sum(joinsLeaves, (d) => d.leaves),
      active_users: Number(distinctUsers?.n ?? 0),
    },
    messages_per_day: messages,
    active_users_per_day: active,
    joins_leaves_per_day: joinsLeaves,
    heatmap,
    top_posters: top,
  };
}
