// The cron entry: statistics snapshots and restarting tasks marked active.
// One part failing never stops the other; failures are logged with context.
import { restartActiveTasks } from "./coordinator/cron";
import type { Env } from "./env";
import { createLogger } from "./lib/log";
import { runStatsSnapshots } from "./stats/cron";

export async function runScheduled(controller: Pick<ScheduledController, "cron" | "scheduledTime">, env: Env): Promise<void> {
  const log = createLogger({ cron: controller.cron });
  const results = await Promise.allSettled([runStatsSnapshots(env, log, controller.scheduledTime), restartActiveTasks(env, log)]);
  for (const [i, r] of results.entries()) {
    if (r.status === "rejected") log.error("scheduled part failed", { part: ["stats", "tasks"][i], error: r.reason });
  }
}
