// Group analytics and statistics history for the dashboard (bearer token or staff session).
// Every endpoint takes ?chat_id= (one chat; omitted: the whole bot) and ?from=&to=
// (inclusive UTC days YYYY-MM-DD; default the last 30 days; at most 366 days).
//   GET /api/analytics/{bot_id}/summary          all of the analytics below in one answer (&top=10)
//   GET /api/analytics/{bot_id}/messages         messages per day
//   GET /api/analytics/{bot_id}/active-users     active users per day
//   GET /api/analytics/{bot_id}/members          joins and leaves per day
//   GET /api/analytics/{bot_id}/heatmap          hour x weekday message counts (UTC, all time)
//   GET /api/analytics/{bot_id}/top-posters      &limit=10 (max 100), with names
//   GET /api/analytics/{bot_id}/member-history   snapshots (chat) and a daily member-count series
//   GET /api/analytics/{bot_id}/growth           &by=day|week: member growth per bucket
//   GET /api/analytics/{bot_id}/reactions        net reactions per day (added minus removed)
//   GET /api/analytics/{bot_id}/reacted-posts    posts with their reactions, newest first (&limit=10)
//   GET /api/analytics/{bot_id}/top-reacted-posts the same, most reacted first (&limit=10)
//   GET /api/analytics/{bot_id}/joins-by-link    joins and join requests per invite link (&limit=10)
//   GET /api/analytics/{bot_id}/top-inviters     invite links' creators by joins (&limit=10)
// 404 for an unknown bot or a chat_id not among that bot's chats; 400 for a bad range.
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { requireBot } from "../db/bots";
import { chats } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { idParam, queryOf } from "../lib/validate";
import {
  activeUsersPerDay,
  activityHeatmap,
  analyticsSummary,
  defaultRange,
  growth,
  joinsByLink,
  joinsLeavesPerDay,
  MAX_RANGE_DAYS,
  memberHistory,
  messagesPerDay,
  reactedPosts,
  reactionsPerDay,
  type StatsScope,
  topInviters,
  topPosters,
} from "../stats";
import { isValidDay, rangeDays } from "../stats/dates";

export const analyticsApi = new Hono<AppEnv>({ strict: false });

const day = z.string().refine(isValidDay, "a UTC day YYYY-MM-DD");
const scopeQuery = z.object({
  chat_id: z
    .string()
    .regex(/^-?\d{1,16}$/, "a chat id")
    .transform(Number)
    .optional(),
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  top: z.coerce.number().int().min(1).max(100).optional(),
  by: z.enum(["day", "week"]).optional(),
});

async function scopeOf(c: Context<AppEnv>): Promise<StatsScope & z.infer<typeof scopeQuery>> {
  const botId = idParam(c, "bot_id", "Bot");
  const q = queryOf(c, scopeQuery);
  const bot = await requireBot(c.var.db, botId);
  const fallback = defaultRange(30);
  const to = q.to ?? (q.from && q.from > fallback.to ? q.from : fallback.to);
  const from = q.from ?? defaultRange(30, Date.parse(`${to}T00:00:00Z`) / 1000).from;
  if (from > to) throw new AppError("BAD_REQUEST", `Invalid query: from (${from}) is after to (${to})`);
  if (rangeDays({ from, to }) > MAX_RANGE_DAYS)
    throw new AppError("BAD_REQUEST", `Invalid query: the range is over ${MAX_RANGE_DAYS} days`);
  if (q.chat_id !== undefined) {
    const chat = await c.var.db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.botId, bot.id), eq(chats.chatId, q.chat_id)))
      .get();
    if (!chat) throw new AppError("NOT_FOUND", `Chat ${q.chat_id} not found for bot ${bot.id}`);
  }
  return { ...q, botId: bot.id, chatId: q.chat_id, from, to };
}

const head = (s: StatsScope) => ({ bot_id: s.botId, chat_id: s.chatId ?? null, from: s.from, to: s.to });

analyticsApi.get("/:bot_id/summary", async (c) => {
  const s = await scopeOf(c);
  return c.json(await analyticsSummary(c.var.db, s, { top: s.top }));
});

analyticsApi.get("/:bot_id/messages", async (c) => {
  const s = await scopeOf(c);
  const results = await messagesPerDay(c.var.db, s);
  return c.json({ ...head(s), count: results.length, results });
});

analyticsApi.get("/:bot_id/active-users", async (c) => {
  const s = await scopeOf(c);
  const results = await activeUsersPerDay(c.var.db, s);
  return c.json({ ...head(s), count: results.length, results });
});

analyticsApi.get("/:bot_id/members", async (c) => {
  const s = await scopeOf(c);
  const results = await joinsLeavesPerDay(c.var.db, s);
  return c.json({ ...head(s), count: results.length, results });
});

analyticsApi.get("/:bot_id/heatmap", async (c) => {
  const s = await scopeOf(c);
  return c.json({ bot_id: s.botId, chat_id: s.chatId ?? null, ...(await activityHeatmap(c.var.db, s)) });
});

analyticsApi.get("/:bot_id/top-posters", async (c) => {
  const s = await scopeOf(c);
  const results = await topPosters(c.var.db, s, s.limit ?? 10);
  return c.json({ ...head(s), count: results.length, results });
});

analyticsApi.get("/:bot_id/member-history", async (c) => {
  const s = await scopeOf(c);
  return c.json(await memberHistory(c.var.db, s));
});

analyticsApi.get("/:bot_id/growth", async (c) => {
  const s = await scopeOf(c);
  return c.json(await growth(c.var.db, { ...s, by: s.by ?? "day" }));
});

analyticsApi.get("/:bot_id/reactions", async (c) => {
  const s = await scopeOf(c);
  const results = await reactionsPerDay(c.var.db, s);
  return c.json({ ...head(s), total: results.reduce((n, d) => n + d.count, 0), count: results.length, results });
});

for (const [path, order] of [
  ["reacted-posts", "recent"],
  ["top-reacted-posts", "top"],
] as const) {
  analyticsApi.get(`/:bot_id/${path}`, async (c) => {
    const s = await scopeOf(c);
    const results = await reactedPosts(c.var.db, s, { order, limit: s.limit ?? 10 });
    return c.json({ ...head(s), count: results.length, results });
  });
}

analyticsApi.get("/:bot_id/joins-by-link", async (c) => {
  const s = await scopeOf(c);
  const r = await joinsByLink(c.var.db, s, s.limit ?? 10);
  return c.json({
    ...head(s),
    joins_total: r.joins_total,
    joins_without_link: r.joins_without_link,
    count: r.links.length,
    results: r.links,
  });
});

analyticsApi.get("/:bot_id/top-inviters", async (c) => {
  const s = await scopeOf(c);
  const results = await topInviters(c.var.db, s, s.limit ?? 10);
  return c.json({ ...head(s), count: results.length, results });
});
