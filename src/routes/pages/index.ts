// The staff dashboard's page sub-apps and where they are mounted.
import type { Hono } from "hono";
import type { AppEnv } from "../../env";
import { authPages } from "../auth-pages";
import { staffApi, tokensApi } from "../staff-api";
import { adminAiPages } from "./admin-ai";
import { adminBotsPages } from "./admin-bots";
import { adminCommandsPages } from "./admin-commands";
import { adminContentPages } from "./admin-content";
import { adminDataPages } from "./admin-data";
import { adminStaffPages } from "./admin-staff";
import { adminTokensPages } from "./admin-tokens";
import { backgroundTasksPages } from "./background-tasks";
import { broadcastsPages } from "./broadcasts";
import { channelStatsPages } from "./channel-stats";
import { pagesApp } from "./common";
import { homePages, studioPages } from "./home";
import { sendMessagePages } from "./send-message";
import { telegramStatsPages } from "./telegram-stats";
import { webhookHealthPages } from "./webhook-health";

const adminPages = pagesApp()
  .get("/", (c) => c.redirect("/", 302))
  // Before the bots pages: this console answers GET /admin/bots/{id}/webhook/ (admin-bots' older raw view is shadowed).
  .route("/bots/:id{[0-9]+}/webhook", webhookHealthPages)
  .route("/bots", adminBotsPages)
  .route("/commands", adminCommandsPages)
  .route("/content", adminContentPages)
  .route("/ai", adminAiPages)
  .route("/staff", adminStaffPages)
  .route("/tokens", adminTokensPages)
  .route("/", adminDataPages);

export function mountDashboard(app: Hono<AppEnv>): void {
  app.route("/", authPages);
  app.route("/api/staff", staffApi);
  app.route("/api/tokens", tokensApi);
  app.route("/studio/social/telegram-stats", telegramStatsPages);
  app.route("/studio", studioPages);
  app.route("/telegram/channel-stats", channelStatsPages);
  app.route("/telegram/send-message", sendMessagePages);
  app.route("/telegram/background-tasks", backgroundTasksPages);
  app.route("/telegram/broadcasts", broadcastsPages);
  app.route("/admin", adminPages);
  app.route("/", homePages);
}
