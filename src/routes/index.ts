// Every surface's sub-app, mounted in one place. Each sub-app applies its own auth
// (everything but the Telegram webhook delivery requires the bearer token or a staff session).
import type { Hono } from "hono";
import type { AppEnv } from "../env";
import { aiModesApi } from "./ai-modes-api";
import { analyticsApi } from "./analytics-api";
import { botAdmin } from "./bot-admin";
import { broadcastsApi, contentNotifyApi } from "./broadcasts-api";
import { commandMenusApi } from "./command-menus-api";
import { dataApi } from "./data-api";
import { mountDashboard } from "./pages";
import { statsApi } from "./stats-api";
import { backgroundTasksRoutes, tasksApi } from "./tasks-api";
import { webhookRoute } from "./webhook";
import { webhookAdmin } from "./webhook-admin";

export function mountRoutes(app: Hono<AppEnv>): void {
  // Filled in by the surfaces as they land (webhook, bot admin, data API, stats, tasks, dashboard).
  app.route("/telegram/bot", statsApi);
  app.route("/telegram/webhook", webhookRoute); // Telegram's deliveries: secret header, no bearer auth
  app.route("/telegram/webhook", webhookAdmin);
  app.route("/telegram/bot", botAdmin);
  app.route("/api/bots", commandMenusApi); // /api/bots/{id}/commands, .../commands/sync
  app.route("/api", dataApi); // /api/chats, users, messages, feedback, content, commands
  app.route("/api/analytics", analyticsApi);
  app.route("/telegram/background-tasks", backgroundTasksRoutes); // start/stop/status; the page itself is the dashboard's
  app.route("/api/tasks", tasksApi);
  app.route("/api/broadcasts", broadcastsApi);
  app.route("/api/bots", aiModesApi); // /api/bots/{id}/ai-modes
  app.route("/api/content", contentNotifyApi); // POST /api/content/{id}/notify
  mountDashboard(app); // staff dashboard: login/logout, pages, /api/staff
}
