// Cron: periodic statistics snapshots of every active bot's chats.
//
// A period is one hour (SNAPSHOT_PERIOD_SECONDS) and the cron fires every 15 minutes.
// Each run snapshots the chats (groups, supergroups, channels) that have no snapshot for
// the current period yet, within CRON_CALL_BUDGET Bot API calls shared fairly between
// the bots (least recently snapshotted bot first; within a bot, least recently collected chat
// first, so a backlog larger than the budget rotates instead of starving). A chat's snapshot is written once per
// period (INSERT ... ON CONFLICT DO NOTHING on (bot, chat, period_start)), so a second run
// in the same period stores nothing new and only finishes what the first left over.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { createDb } from "../db/client";
import { bots, chatSnapshots, chatStats, chats } from "../db/schema";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import { cronBudget } from "./budget";
import { CallMeter } from "./call-meter";
import { callsFor } from "./collect-chat";
import { collectForBot } from "./collect-for-bot";
import { bulkChats, periodStartOf, targetOf } from "./store";

/** Bot API calls one cron invocation may spend on snapshots (under the paid plan's subrequest limit; STATS_CALL_BUDGET overrides). */
export const CRON_CALL_BUDGET = 800;

export interface SnapshotRunReport {
  periodStart: number;
  bots: number;
  snapshots: number;
  failed: number;
  remaining: number;
  calls: number;
}

export async function runStatsSnapshots(
  env: Env,
  log: Logger,
  scheduledTime: number,
  opts: { callBudget?: number; maxCallsPerSecond?: number } = {},
): Promise<SnapshotRunReport> {
  const db = createDb(env.DB);
  const periodStart = periodStartOf(Math.floor(scheduledTime / 1000));
  const budget = opts.callBudget ?? cronBudget(env, CRON_CALL_BUDGET);
  const meter = new CallMeter({ budget, maxCallsPerSecond: opts.maxCallsPerSecond });
  const active = await activeBotsLeastRecentFirst(db);
  const report: SnapshotRunReport = { periodStart, bots: active.length, snapshots: 0, failed: 0, remaining: 0, calls: 0 };

  for (const [i, bot] of active.entries()) {
    // A fair share of what is left, so one bot with many chats cannot starve the others.
    const share = Math.floor(meter.remaining / (active.length - i));
    const limit = Math.floor(Math.max(0, share - 1) / callsFor("supergroup"));
    const pending = await chatsWithoutSnapshot(db, bot.id, periodStart, limit + 1);
    const targets = pending.slice(0, limit).map(targetOf);
    report.remaining += pending.length - targets.length; // at least; the exact backlog is not counted
    if (targets.length === 0) continue;
    try {
      const sub = new CallMeter({ budget: Math.min(share, meter.remaining), maxCallsPerSecond: 0, fetch: meter.fetch });
      const out = await collectForBot({ env, db, log }, bot, targets, sub, { periodStart });
      report.snapshots += out.results.length;
      report.failed += out.results.filter((r) => r.error).length;
      report.remaining += out.skipped.length;
    } catch (err) {
      // One bot failing (e.g. its token cannot be decrypted) never stops the others.
      log.error("stats snapshot failed for a bot", { bot_id: bot.id, error: err });
      report.remaining += targets.length;
    }
  }
  report.calls = meter.calls;
  log.info("stats snapshots", { ...report });
  return report;
}

export async function activeBotsLeastRecentFirst(db: Db): Promise<BotRow[]> {
  // One indexed max() per active bot (chat_snapshots_bot_period_idx): constant work per bot,
  // however long the snapshot history grows (a GROUP BY over the table would read all of it).
  const last = sql<number>`(SELECT max(${chatSnapshots.periodStart}) FROM ${chatSnapshots} WHERE ${chatSnapshots.botId} = ${bots.id})`;
  return db.select().from(bots).where(eq(bots.isActive, true)).orderBy(sql`coalesce(${last}, 0)`, asc(bots.id)).all();
}

async function chatsWithoutSnapshot(db: Db, botId: number, periodStart: number, limit: number) {
  const rows = await db
    .select({ chat: chats })
    .from(chats)
    .leftJoin(
      chatSnapshots,
      and(eq(chatSnapshots.botId, chats.botId), eq(chatSnapshots.chatId, chats.chatId), eq(chatSnapshots.periodStart, periodStart)),
    )
    // Least recently collected first: when the budget cannot cover every chat in one period,
    // the chats left out this time are the first in line next time, so all of them rotate in.
    .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
    .where(and(bulkChats(botId), isNull(chatSnapshots.chatId)))
    .orderBy(sql`coalesce(${chatStats.collectedAt}, 0)`, asc(chats.chatId))
    .limit(limit)
    .all();
  return rows.map((r) => r.chat);
}
