// Group analytics read only from the rollups ingest maintains (never from messages), so a
// query costs the same at 10 thousand or 10 million stored messages:
//   chat_daily_activity  messages, joins, leaves per chat per UTC day
//   chat_user_daily      messages per user per chat per day (a row = an active user that day)
//   chat_hourly_activity messages per UTC weekday x hour per chat (all time: it has no dates)
// For a bot, figures are summed over its chats; active users are counted once per day
// even when they wrote in several chats. A bot's figures come from the bot-wide rollups
// (bot_daily_activity, bot_hourly_activity, bot_user_days, bot_user_activity), which SQL
// triggers keep in step with the chat rollups (migrations/0003_bot_rollups.sql): a bot-wide
// answer reads one row per day, 168 hour slots, and two rows per user who wrote since `from`,
// however many messages, chats or user-days the range holds.
import { and, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { botDailyActivity, botHourlyActivity, chatDailyActivity, chatHourlyActivity, chatUserDaily, tgUsers } from "../db/schema";
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
  if (scope.chatId === undefined) return (await botDays(db, scope)).map((d) => ({ day: d.day, count: d.messages }));
  const rows = await db
    .select({ day: chatDailyActivity.day, count: sql<number>`sum(${chatDailyActivity.messages})` })
    .from(chatDailyActivity)
    .where(daily(scope))
    .groupBy(chatDailyActivity.day)
    .all();
  return fill(scope, new Map(rows.map((r) => [r.day, { day: r.day, count: Number(r.count) }])), (day) => ({ day, count: 0 }));
}

export async function activeUsersPerDay(db: Db, scope: StatsScope): Promise<DayCount[]> {
  if (scope.chatId === undefined) return (await botDays(db, scope)).map((d) => ({ day: d.day, count: d.activeUsers }));
  const rows = await db
    .select({ day: chatUserDaily.day, count: sql<number>`count(distinct ${chatUserDaily.userId})` })
    .from(chatUserDaily)
    .where(perUser(scope))
    .groupBy(chatUserDaily.day)
    .all();
  return fill(scope, new Map(rows.map((r) => [r.day, { day: r.day, count: Number(r.count) }])), (day) => ({ day, count: 0 }));
}

export async function joinsLeavesPerDay(db: Db, scope: StatsScope): Promise<JoinsLeavesDay[]> {
  if (scope.chatId === undefined) return (await botDays(db, scope)).map(joinsLeavesOf);
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
  const rows =
    scope.chatId === undefined
      ? await db
          .select({ weekday: botHourlyActivity.weekday, hour: botHourlyActivity.hour, count: botHourlyActivity.messages })
          .from(botHourlyActivity)
          .where(eq(botHourlyActivity.botId, scope.botId))
          .all()
      : await db
          .select({ weekday: chatHourlyActivity.weekday, hour: chatHourlyActivity.hour, count: chatHourlyActivity.messages })
          .from(chatHourlyActivity)
          .where(and(eq(chatHourlyActivity.botId, scope.botId), eq(chatHourlyActivity.chatId, scope.chatId)))
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
  if (scope.chatId === undefined) return (await botPosters(db, scope, limit)).top;
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
    .limit(clampTop(limit))
    .all();
  return rows.map(posterOf);
}

const clampTop = (n: number) => Math.min(Math.max(n, 1), 100);

function posterOf(r: {
  userId: number;
  messages: number;
  activeDays: number;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
}): TopPoster {
  return {
    user_id: r.userId,
    name: [r.firstName, r.lastName].filter(Boolean).join(" ") || null,
    username: r.username ?? null,
    messages: Number(r.messages),
    active_days: Number(r.activeDays),
  };
}

const joinsLeavesOf = (d: BotDay): JoinsLeavesDay => ({ day: d.day, joins: d.joins, leaves: d.leaves, net: d.joins - d.leaves });

interface BotDay {
  day: string;
  messages: number;
  activeUsers: number;
  joins: number;
  leaves: number;
}

/** Every day of the range from bot_daily_activity (one row per day; 0 when it has none). */
async function botDays(db: Db, scope: StatsScope): Promise<BotDay[]> {
  const rows = await db
    .select()
    .from(botDailyActivity)
    .where(and(eq(botDailyActivity.botId, scope.botId), gte(botDailyActivity.day, scope.from), lte(botDailyActivity.day, scope.to)))
    .all();
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return fill(scope, byDay, (day) => ({ day, messages: 0, activeUsers: 0, joins: 0, leaves: 0 })).map((r) => ({
    day: r.day,
    messages: Number(r.messages),
    activeUsers: Number(r.activeUsers),
    joins: Number(r.joins),
    leaves: Number(r.leaves),
  }));
}

// A bot_user_days row's running totals packed into one integer (messages << 22 | days), so one
// lookup per bound gives both; 2^22 days is 11,000 years, 2^41 messages is plenty.
const PACK = 4_194_304;

/**
 * The bot's top posters in the range and how many users wrote in it. Per user who wrote on or
 * after `from` (bot_user_activity): the running totals at the last row <= to minus those at
 * the last row < from: two primary-key lookups, whatever the number of days in the range.
 */
async function botPosters(db: Db, scope: StatsScope, limit: number): Promise<{ top: TopPoster[]; users: number }> {
  const b = scope.botId;
  const at = (cmp: SQL) =>
    sql`(SELECT d.cum_messages * ${PACK} + d.cum_days FROM bot_user_days d WHERE d.bot_id = ${b} AND d.user_id = a.user_id AND ${cmp} ORDER BY d.day DESC LIMIT 1)`;
  const rows = await db.all<{
    user_id: number;
    messages: number;
    active_days: number;
    users: number;
    first_name: string | null;
    last_name: string | null;
    username: string | null;
  }>(sql`
    WITH r AS MATERIALIZED (
      SELECT a.user_id, ${at(sql`d.day <= ${scope.to}`)} AS hi, coalesce(${at(sql`d.day < ${scope.from}`)}, 0) AS lo
      FROM bot_user_activity a WHERE a.bot_id = ${b} AND a.last_day >= ${scope.from}
    ),
    s AS (SELECT user_id, (hi >> 22) - (lo >> 22) AS messages, (hi & ${PACK - 1}) - (lo & ${PACK - 1}) AS active_days FROM r),
    t AS (SELECT user_id, messages, active_days, count(*) OVER () AS users FROM s WHERE messages > 0
          ORDER BY messages DESC, user_id LIMIT ${clampTop(limit)})
    SELECT t.*, u.first_name, u.last_name, u.username
    FROM t LEFT JOIN tg_users u ON u.bot_id = ${b} AND u.user_id = t.user_id
    ORDER BY t.messages DESC, t.user_id`);
  const top = rows.map((r) =>
    posterOf({
      userId: Number(r.user_id),
      messages: r.messages,
      activeDays: r.active_days,
      firstName: r.first_name,
      lastName: r.last_name,
      username: r.username,
    }),
  );
  return { top, users: Number(rows[0]?.users ?? 0) };
}

/** Everything the dashboard's analytics panel shows, in one call. */
export async function analyticsSummary(db: Db, scope: StatsScope, opts: { top?: number } = {}): Promise<AnalyticsSummary> {
  const { messages, active, joinsLeaves, heatmap, top, distinctUsers } =
    scope.chatId === undefined ? await botSummaryParts(db, scope, opts.top ?? 10) : await chatSummaryParts(db, scope, opts.top ?? 10);
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
      active_users: distinctUsers,
    },
    messages_per_day: messages,
    active_users_per_day: active,
    joins_leaves_per_day: joinsLeaves,
    heatmap,
    top_posters: top,
  };
}

/** A bot: the daily series from one read of bot_daily_activity, top posters and the user count from one query. */
async function botSummaryParts(db: Db, scope: StatsScope, top: number) {
  const [days, heatmap, posters] = await Promise.all([botDays(db, scope), activityHeatmap(db, scope), botPosters(db, scope, top)]);
  return {
    messages: days.map((d) => ({ day: d.day, count: d.messages })),
    active: days.map((d) => ({ day: d.day, count: d.activeUsers })),
    joinsLeaves: days.map(joinsLeavesOf),
    heatmap,
    top: posters.top,
    distinctUsers: posters.users,
  };
}

async function chatSummaryParts(db: Db, scope: StatsScope, top: number) {
  const [messages, active, joinsLeaves, heatmap, posters, distinct] = await Promise.all([
    messagesPerDay(db, scope),
    activeUsersPerDay(db, scope),
    joinsLeavesPerDay(db, scope),
    activityHeatmap(db, scope),
    topPosters(db, scope, top),
    db
      .select({ n: sql<number>`count(distinct ${chatUserDaily.userId})` })
      .from(chatUserDaily)
      .where(perUser(scope))
      .get(),
  ]);
  return { messages, active, joinsLeaves, heatmap, top: posters, distinctUsers: Number(distinct?.n ?? 0) };
}
