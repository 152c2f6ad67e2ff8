// Opening a statistics page keeps its figures honest: when some of the bot's groups and
// channels were never collected, or not within STATS_STALE_AFTER_SECONDS, the bot's own
// "stats" task is started on its coordinator, which collects them in the background (the
// page polls rows.json and fills the rows in as they land). Deduped by construction: a bot
// has one stats task, starting a running task is a no-op, and a finished pass leaves no chat
// stale, so however often the page is opened each stale chat is collected once.
import { and, count, eq, isNull, lt, or } from "drizzle-orm";
import { coordinatorFor } from "../coordinator/stub";
import { nowSeconds } from "../db/client";
import { chatStats, chats } from "../db/schema";
import type { Db, Env } from "../env";
import { AppError } from "../lib/errors";
import { bulkChats } from "../stats/store";
import { createTask, listTasks } from "./tasks";

/** A collection older than this is stale: the cron's snapshot period (one hour). */
export const STATS_STALE_AFTER_SECONDS = 3600;

export interface StaleRefresh {
  /** Groups, supergroups and channels never collected or collected too long ago. */
  stale: number;
  /** The stats task collecting them (null when nothing was stale). */
  taskId: number | null;
}

export async function staleChatCount(db: Db, botId: number, now = nowSeconds()): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(chats)
    .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
    .where(and(bulkChats(botId), or(isNull(chatStats.collectedAt), lt(chatStats.collectedAt, now - STATS_STALE_AFTER_SECONDS))))
    .get();
  return row?.n ?? 0;
}

/** Starts the bot's stats task when some chat is stale (creating the task the first time). */
export async function collectStaleInBackground(env: Env, db: Db, botId: number): Promise<StaleRefresh> {
  const stale = await staleChatCount(db, botId);
  if (stale === 0) return { stale, taskId: null };
  const taskId = await statsTaskOf(db, botId);
  const coordinator = coordinatorFor(env, botId);
  // A pass under way already covers every stale chat; leave its schedule alone (it may be
  // waiting out a 429). Otherwise straight to the coordinator, not services/tasks startTask:
  // that would also mark the task active, and the cron would restart it on the page's behalf.
  if ((await coordinator.taskStatus(taskId))?.status !== "running") await coordinator.startTask(taskId);
  return { stale, taskId };
}

async function statsTaskOf(db: Db, botId: number): Promise<number> {
  const existing = (await listTasks(db, { botId, kind: "stats" }))[0];
  if (existing) return existing.id;
  try {
    return (await createTask(db, { botId, kind: "stats", name: "Statistics (started by the dashboard)" })).id;
  } catch (err) {
    // Another page load created it a moment ago.
    const raced = (await listTasks(db, { botId, kind: "stats" }))[0];
    if (raced && err instanceof AppError && err.code === "CONFLICT") return raced.id;
    throw err;
  }
}
