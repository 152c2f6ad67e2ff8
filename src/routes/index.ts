// Every surface's sub-app, mounted in one place. Each sub-app applies its own auth
// (everything but the Telegram webhook delivery requires the bearer token or a staff session).
import type { Hono } from "hono";
import type { AppEnv } from "../env";

export function mountRoutes(_app: Hono<AppEnv>): void {
  // Filled in by the surfaces as they land (webhook, bot admin, data API, stats, tasks, dashboard).
}
