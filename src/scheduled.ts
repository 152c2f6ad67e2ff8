// The cron entry: statistics snapshots, restarting tasks marked active, and housekeeping
// (finished ledger rows past Telegram's redelivery horizon, expired dialog sessions).
// One part failing never stops the others; failures are logged with context.
import { restartActiveTasks } from "./coordinator/cron";
import { createDb } from "./db/client";
import type { Env } from "./env";
import { createLogger, type Logger } from "./lib/log";
import { runStatsSnapshots } from "./stats/cron";
import { purgeExpiredSessions } from "./telegram/dialog-sessions";
import { pruneLedger } from "./telegram/ingest/ledger";
import { pruneMessages, retentionDays } from "./telegram/retention";

async function housekeeping(env: Env, log: Logger): Promise<void> {
  const db = createDb(env.DB);
  const days = retentionDays(env.MESSAGE_RETENTION_DAYS);
  if (days === undefined && env.MESSAGE_RETENTION_DAYS?.trim() && env.MESSAGE_RETENTION_DAYS.trim() !== "0") {
    log.warn("MESSAGE_RETENTION_DAYS is not a positive number of days; keeping every message", { value: env.MESSAGE_RETENTION_DAYS });
  }
  const [ledgerRows, sessions, messages] = await Promise.all([
    pruneLedger(db),
    purgeExpiredSessions(db),
    days === undefined ? 0 : pruneMessages(db, days),
  ]);
  if (ledgerRows || sessions || messages) {
    log.info("housekeeping", { ledger_rows_pruned: ledgerRows, sessions_purged: sessions, messages_pruned: messages });
  }
}

export async function runScheduled(controller: Pick<ScheduledController, "cron" | "scheduledTime">, env: Env): Promise<void> {
  const log = createLogger({ cron: controller.cron });
  const parts = ["stats", "tasks", "housekeeping"] as const;
  const results = await Promise.allSettled([
    runStatsSnapshots(env, log, controller.scheduledTime),
    restartActiveTasks(env, log),
    housekeeping(env, log),
  ]);
  for (const [i, r] of results.entries()) {
    if (r.status === "rejected") log.error("scheduled part failed", { part: parts[i], error: r.reason });
  }
}
