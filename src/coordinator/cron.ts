// Cron: restart background tasks marked active that are not running.
import type { Env } from "../env";
import type { Logger } from "../lib/log";

export async function restartActiveTasks(_env: Env, _log: Logger): Promise<void> {}
