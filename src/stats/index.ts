// The statistics service API: what the dashboard pages and the JSON endpoints call.
// These signatures are kept stable; everything else under src/stats/ is internal.
//
// Live statistics (Bot API, cached in KV for STATS_CACHE_TTL seconds; refresh bypasses):
//   getChatStats(deps, botId, chatId, { refresh })      one chat; 404 AppError if unknown bot/chat
//   getBotChatsStats(deps, botId, { refresh, limit, cursor })
//       totals (chats, members, by type, errors), a page of chats, the errors, and `coverage`
//       (how many chats were collected now vs served from stored results)
// History (from the periodic snapshots in chat_snapshots):
//   memberHistory(db, { botId, chatId?, from, to })    snapshots + a daily member-count series
//   growth(db, { botId, chatId?, from, to, by: "day" | "week" })
// Group analytics (from the ingest rollups only; cost independent of the message count):
//   analyticsSummary(db, scope, { top })                all of the below in one call
//   messagesPerDay, activeUsersPerDay, joinsLeavesPerDay, activityHeatmap, topPosters
// Reactions and invite links (kinds-analytics.ts):
//   reactionsPerDay, reactedPosts(db, scope, { order: "recent" | "top", limit }), joinsByLink, topInviters
// `deps` is { env, db, log } (c.env, c.var.db, c.var.log in a Hono handler);
// dates are inclusive UTC days "YYYY-MM-DD"; defaultRange() gives the last 30 days.
export {
  type AnalyticsSummary,
  activeUsersPerDay,
  activityHeatmap,
  analyticsSummary,
  type DayCount,
  type Heatmap,
  type JoinsLeavesDay,
  joinsLeavesPerDay,
  messagesPerDay,
  type TopPoster,
  topPosters,
} from "./analytics";
export { collectStatsBatch, type StatsBatchResult, type StatsBatchState } from "./batch";
export type { StatsDeps } from "./collect-for-bot";
export { defaultRange, MAX_RANGE_DAYS } from "./dates";
export { type DayPoint, type Growth, type GrowthPoint, growth, type MemberHistory, memberHistory, type SnapshotPoint } from "./history";
export {
  type Inviter,
  type JoinsByLink,
  joinsByLink,
  type LinkJoins,
  type ReactedPost,
  reactedPosts,
  reactionsPerDay,
  topInviters,
} from "./kinds-analytics";
export { type BotChatsStatsOptions, getBotChatsStats, getChatStats, LIVE_CALL_BUDGET, STATS_CACHE_TTL } from "./service";
export { SNAPSHOT_PERIOD_SECONDS } from "./store";
export type * from "./types";
