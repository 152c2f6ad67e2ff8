// The statistics answers behind GET /telegram/bot/{bot_id}/chat/{chat_id}/stats/ and
// GET /telegram/bot/{bot_id}/chats/stats/, cached in KV for STATS_CACHE_TTL seconds.
//
// What one request covers: Workers allow a bounded number of subrequests per invocation,
// so the all-chats answer collects at most LIVE_CALL_BUDGET calls' worth of chats live
// (the stalest first, so repeated refreshes walk through all of them) and serves every
// other chat from its latest stored result (chat_stats), saying which is which
// (`source` per chat, `coverage` overall). The cron snapshots and the bot's "stats" task
// keep the stored results fresh for bots with many chats.
import { and, asc, eq, gt } from "drizzle-orm";
import { requireBot } from "../db/bots";
import { chatStats, chats } from "../db/schema";
import { AppError } from "../lib/errors";
import { cappedBudget } from "./budget";
import { CallMeter } from "./call-meter";
import { callsFor } from "./collect-chat";
import { collectForBot, type StatsDeps } from "./collect-for-bot";
import { bulkChats, findChat, targetOf } from "./store";
import { chatTotals, failedChats } from "./totals";
import type { BotChatsStatsAnswer, ChatStats, ChatStatsAnswer, ChatStatsError, StatsSource } from "./types";

export const STATS_CACHE_TTL = 60;
/** Bot API calls one all-chats request may spend (about 50 chats at 4 calls). */
export const LIVE_CALL_BUDGET = 200;

/** One chat's statistics (404 AppError for an unknown bot or a chat not in that bot's chats). */
export async function getChatStats(
  deps: StatsDeps,
  botId: number,
  chatId: number,
  opts: { refresh?: boolean } = {},
): Promise<ChatStatsAnswer> {
  const bot = await requireBot(deps.db, botId);
  const row = await findChat(deps.db, bot.id, chatId);
  if (!row) throw new AppError("NOT_FOUND", `Chat ${chatId} not found for bot ${botId}`);
  const key = `stats:v1:chat:${bot.id}:${row.chatId}`;
  if (!opts.refresh) {
    const hit = await deps.env.KV.get<ChatStatsAnswer>(key, "json");
    if (hit) return { ...hit, cached: true };
  }
  const meter = new CallMeter({ budget: 2 * callsFor(row.type) + 1 });
  const { results } = await collectForBot(deps, bot, [targetOf(row)], meter);
  const stats = results[0];
  if (!stats) throw new AppError("INTERNAL", `Chat ${chatId} could not be collected`);
  const answer: ChatStatsAnswer = { bot_id: bot.id, ...stats, source: "live", cached: false };
  await cachePut(deps, key, answer);
  return answer;
}

export interface BotChatsStatsOptions {
  refresh?: boolean;
  /** Chats per page of `results` (the totals always cover every chat). */
  limit?: number;
  /** The chat id after which the page starts (`next_cursor` of the previous page). */
  cursor?: number;
  /** Overrides LIVE_CALL_BUDGET (0: serve stored results only). */
  liveCallBudget?: number;
}

/** Totals, one page of chats and the errors of every chat of a bot (404 AppError for an unknown bot). */
export async function getBotChatsStats(deps: StatsDeps, botId: number, opts: BotChatsStatsOptions = {}): Promise<BotChatsStatsAnswer> {
  const { db, env } = deps;
  const bot = await requireBot(db, botId);
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const budget = opts.liveCallBudget ?? cappedBudget(env, LIVE_CALL_BUDGET);
  const key = `stats:v1:chats:${bot.id}:${limit}:${opts.cursor ?? ""}:${budget}`;
  if (!opts.refresh) {
    const hit = await env.KV.get<BotChatsStatsAnswer>(key, "json");
    if (hit) return { ...hit, cached: true };
  }

  // Live: the stalest chats first (never collected sorts first: NULL is lowest in SQLite).
  const stalest = await db
    .select({ chat: chats })
    .from(chats)
    .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
    .where(bulkChats(bot.id))
    .orderBy(asc(chatStats.collectedAt), asc(chats.chatId))
    .limit(Math.floor(budget / callsFor("supergroup")))
    .all();
  const meter = new CallMeter({ budget });
  const live = await collectForBot(
    deps,
    bot,
    stalest.map((r) => targetOf(r.chat)),
    meter,
  );
  const liveIds = new Set(live.results.map((r) => r.chat_id));

  const [totals, page, errors] = await Promise.all([
    chatTotals(db, bot.id),
    db
      .select({ chat: chats, result: chatStats.result })
      .from(chats)
      .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
      .where(opts.cursor === undefined ? bulkChats(bot.id) : and(bulkChats(bot.id), gt(chats.chatId, opts.cursor)))
      .orderBy(asc(chats.chatId))
      .limit(limit + 1)
      .all(),
    db
      .select({ chatId: chats.chatId, title: chats.title, result: chatStats.result })
      .from(chats)
      .innerJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
      .where(failedChats(bot.id))
      .orderBy(asc(chats.chatId))
      .limit(100)
      .all(),
  ]);

  const rows = page.slice(0, limit);
  const results = rows.map(({ chat, result }) => {
    if (!result) return { ...neverCollected(targetOf(chat)), source: "none" as StatsSource };
    const stats = result as unknown as ChatStats;
    return { ...stats, source: (liveIds.has(chat.chatId) ? "live" : "stored") as StatsSource };
  });
  const neverCount = results.filter((r) => r.source === "none").length;
  const answer: BotChatsStatsAnswer = {
    bot_id: bot.id,
    totals,
    coverage: {
      live: live.results.length,
      stored: results.filter((r) => r.source === "stored").length,
      never_collected: neverCount,
      calls_made: meter.calls,
      call_budget: budget,
      complete: neverCount === 0,
      note:
        `Up to ${budget} Bot API calls per request: ${live.results.length} chat(s) collected now (stalest first), ` +
        "the others served from their latest stored result (see collected_at); private chats are counted, not collected." +
        (live.retryAfter !== null ? ` Telegram asked to slow down (429, retry after ${live.retryAfter} s): collection stopped early.` : ""),
    },
    count: results.length,
    results,
    errors: errors.map((e) => ({
      chat_id: e.chatId,
      title: e.title,
      error: (e.result as unknown as ChatStats).error as ChatStatsError,
    })),
    ...(page.length > limit && rows.length > 0 ? { next_cursor: String(rows[rows.length - 1]!.chat.chatId) } : {}),
    generated_at: Math.floor(Date.now() / 1000),
    cached: false,
  };
  await cachePut(deps, key, answer);
  return answer;
}

// KV allows about one write per second per key: a failed cache write must not fail the answer.
async function cachePut(deps: StatsDeps, key: string, value: unknown): Promise<void> {
  try {
    await deps.env.KV.put(key, JSON.stringify(value), { expirationTtl: STATS_CACHE_TTL });
  } catch (err) {
    deps.log.warn("stats cache write failed", { key, error: err });
  }
}

function neverCollected(t: ReturnType<typeof targetOf>): ChatStats {
  return {
    chat_id: t.chatId,
    title: t.title,
    username: t.username,
    type: t.type,
    first_seen: t.firstSeenAt,
    member_count: null,
    admin_count: null,
    // Known without a collection when Telegram told us (my_chat_member).
    bot_role: t.botRole ?? null,
    administrators: [],
    collected_at: null,
    error: null,
  };
}
