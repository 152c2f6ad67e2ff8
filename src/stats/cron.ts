// Cron: periodic statistics snapshots of every active bot's chats.
import type { Env } from "../env";
import type { Logger } from "../lib/log";

export async function runStatsSnapshots(_env: Env, _log: Logger, _scheduledTime: number): Promise<void> {}
