// Alarm-driven statistics collection for bots with more chats than one invocation covers.
// The bot's coordinator (Durable Object) calls collectStatsBatch on each alarm with the
// state it persisted after the previous batch. (Interface fixed here.)
//
// A batch collects the next chats after the cursor (chat id order; groups, supergroups and
// channels) within BATCH_CALL_BUDGET Bot API calls, stores the results (chat_stats) and a
// snapshot for the current period, and returns the new state. The cursor only moves past
// chats whose result was stored, so a batch that fails is simply repeated from the same place.
import { count } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { chats } from "../db/schema";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import { cappedBudget } from "./budget";
import { CallMeter } from "./call-meter";
import { callsFor } from "./collect-chat";
import { collectForBot } from "./collect-for-bot";
import { bulkChats, chatsAfter, periodStartOf, targetOf } from "./store";

export interface StatsBatchState {
  /** Resume after this chat id (null: from the start). */
  cursor: number | null;
  collected: number;
  failed: number;
  total: number;
  startedAt: number;
  /** Set when Telegram answered 429 beyond what the client waits: wait this many seconds before the next batch. */
  retryAfter?: number;
}

export interface StatsBatchResult {
  state: StatsBatchState;
  done: boolean;
}

/** Bot API calls per batch: about 100 chats, well inside the paid plan's subrequest limit. */
export const BATCH_CALL_BUDGET = 400;

export async function collectStatsBatch(
  deps: { env: Env; db: Db; log: Logger; bot: BotRow },
  state: StatsBatchState | null,
  opts: { callBudget?: number; maxCallsPerSecond?: number } = {},
): Promise<StatsBatchResult> {
  const { db, bot } = deps;
  const now = Math.floor(Date.now() / 1000);
  const current: StatsBatchState = state ?? {
    cursor: null,
    collected: 0,
    failed: 0,
    total: (await db.select({ n: count() }).from(chats).where(bulkChats(bot.id)).get())?.n ?? 0,
    startedAt: now,
  };
  const budget = opts.callBudget ?? cappedBudget(deps.env, BATCH_CALL_BUDGET);
  // One extra call may go to getMe when bots.tg_id is missing.
  const limit = Math.max(1, Math.floor((budget - 1) / callsFor("supergroup")));
  const rows = await chatsAfter(db, bot.id, current.cursor, limit);
  if (rows.length === 0) return { state: current, done: true };

  const meter = new CallMeter({ budget, maxCallsPerSecond: opts.maxCallsPerSecond });
  const targets = rows.map(targetOf);
  const out = await collectForBot(deps, bot, targets, meter, { periodStart: periodStartOf(now) });
  const processed = targets.length - out.skipped.length;
  const last = targets[processed - 1];
  const next: StatsBatchState = {
    ...current,
    cursor: last ? last.chatId : current.cursor,
    collected: current.collected + out.results.filter((r) => !r.error).length,
    failed: current.failed + out.results.filter((r) => r.error).length,
  };
  if (out.retryAfter !== null) next.retryAfter = out.retryAfter;
  else delete next.retryAfter;
  return { state: next, done: rows.length < limit && out.skipped.length === 0 };
}
