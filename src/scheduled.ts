// The cron entry: statistics snapshots and restarting tasks marked active.
import type { Env } from "./env";
import { createLogger } from "./lib/log";

export async function runScheduled(controller: ScheduledController, _env: Env): Promise<void> {
  const log = createLogger({ cron: controller.cron });
  log.info("scheduled run", { scheduled_time: controller.scheduledTime });
}
