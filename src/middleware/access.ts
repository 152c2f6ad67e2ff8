// The one access check: every request is matched against RULES (method + the route's
// path pattern, exactly as the route registers it) and needs the permission the rule
// names; src/lib/roles.ts says which role holds it. A route the app registers with no
// rule here is refused (403) for everyone: a new route without a rule cannot be called.
// Applied once, in createApp, before every sub-app: JSON API and pages, cookie sessions
// and bearer tokens alike.
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { allows, PERMISSIONS, type Permission } from "../lib/roles";
import { identify, wantsLoginPage } from "./auth";

/** `public`: no credential; `webhook`: Telegram's delivery, checked by its secret header. */
export type Access = Permission | "public" | "webhook";

export interface Rule {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  access: Access;
}

const r = (method: Rule["method"], path: string, access: Access): Rule => ({ method, path, access });

export const RULES: readonly Rule[] = [
  r("GET", "/healthz", "public"),
  r("GET", "/login", "public"),
  r("POST", "/login", "public"),
  r("POST", "/logout", "session"),
  r("POST", "/telegram/webhook/:bot_id", "webhook"),

  // Bots and their webhooks
  r("GET", "/api/bots", "read"),
  r("POST", "/api/bots", "bots"),
  r("GET", "/api/bots/:id", "read"),
  r("PATCH", "/api/bots/:id", "bots"),
  r("DELETE", "/api/bots/:id", "bots"),
  r("GET", "/api/bots/:id/ai-modes", "read"),
  r("POST", "/api/bots/:id/ai-modes", "ai-modes"),
  r("PATCH", "/api/bots/:id/ai-modes/:mode_id", "ai-modes"),
  r("DELETE", "/api/bots/:id/ai-modes/:mode_id", "ai-modes"),
  r("GET", "/telegram/webhook/:bot_id/info", "read"),
  r("POST", "/telegram/webhook/:bot_id/set", "webhooks"),
  r("POST", "/telegram/webhook/:bot_id/delete", "webhooks"),
  r("GET", "/telegram/bot/:bot_id/status", "read"),
  r("POST", "/telegram/bot/:bot_id/send", "send"),
  // The bot's inbox: one update's journal, dead letters, and replaying or discarding one
  r("GET", "/telegram/bot/:bot_id/updates/:update_id", "read"),
  r("GET", "/telegram/bot/:bot_id/dead-letters", "read"),
  r("POST", "/telegram/bot/:bot_id/dead-letters/:update_id/replay", "bots"),
  r("POST", "/telegram/bot/:bot_id/dead-letters/:update_id/discard", "bots"),

  // Stored data and statistics
  r("GET", "/telegram/bot/:bot_id/chat/:chat_id/stats", "read"),
  r("GET", "/telegram/bot/:bot_id/chats/stats", "read"),
  r("GET", "/api/chats", "read"),
  r("GET", "/api/users", "read"),
  r("GET", "/api/messages", "read"),
  r("GET", "/api/feedback", "read"),
  ...["summary", "messages", "active-users", "members", "heatmap", "top-posters", "member-history", "growth"].map((p) =>
    r("GET", `/api/analytics/:bot_id/${p}`, "read"),
  ),
  // Reactions and invite links (analytics-api.ts), read like the rest of the analytics.
  ...["reactions", "reacted-posts", "top-reacted-posts", "joins-by-link", "top-inviters"].map((p) =>
    r("GET", `/api/analytics/:bot_id/${p}`, "read"),
  ),

  // Content and commands
  r("GET", "/api/content", "read"),
  r("POST", "/api/content", "content"),
  r("GET", "/api/content/:id", "read"),
  r("PATCH", "/api/content/:id", "content"),
  r("DELETE", "/api/content/:id", "content"),
  r("POST", "/api/content/:id/notify", "broadcast"),
  r("GET", "/api/commands", "read"),
  r("POST", "/api/commands", "commands"),
  r("GET", "/api/commands/:id", "read"),
  r("PATCH", "/api/commands/:id", "commands"),
  r("DELETE", "/api/commands/:id", "commands"),
  r("GET", "/api/bots/:id/commands", "read"),
  r("POST", "/api/bots/:id/commands/sync", "commands"),

  // Background tasks and broadcasts
  r("GET", "/telegram/background-tasks", "read"),
  r("POST", "/telegram/background-tasks/start-all", "tasks"),
  r("POST", "/telegram/background-tasks/stop-all", "tasks"),
  r("POST", "/telegram/background-tasks/:task_id/start", "tasks"),
  r("POST", "/telegram/background-tasks/:task_id/stop", "tasks"),
  r("GET", "/telegram/background-tasks/:task_id/status", "read"),
  r("POST", "/telegram/background-tasks/new", "tasks-manage"),
  r("POST", "/telegram/background-tasks/:task_id{[0-9]+}/delete", "tasks-manage"),
  r("GET", "/api/tasks", "read"),
  r("POST", "/api/tasks", "tasks-manage"),
  r("POST", "/api/tasks/start-all", "tasks"),
  r("POST", "/api/tasks/stop-all", "tasks"),
  r("GET", "/api/tasks/:id", "read"),
  r("POST", "/api/tasks/:id/start", "tasks"),
  r("POST", "/api/tasks/:id/stop", "tasks"),
  r("DELETE", "/api/tasks/:id", "tasks-manage"),
  r("GET", "/api/broadcasts", "read"),
  r("POST", "/api/broadcasts", "broadcast"),
  r("GET", "/api/broadcasts/:id", "read"),
  // The broadcasts page: compose (src/routes/pages/broadcasts.tsx) and one broadcast's report
  r("GET", "/telegram/broadcasts", "read"),
  r("POST", "/telegram/broadcasts/new", "broadcast"),
  r("GET", "/telegram/broadcasts/:id{[0-9]+}", "read"),

  // Staff accounts and API tokens
  r("GET", "/api/staff", "staff"),
  r("POST", "/api/staff", "staff"),
  r("PATCH", "/api/staff/:id", "staff"),
  r("DELETE", "/api/staff/:id", "staff"),
  r("GET", "/api/tokens", "tokens"),
  r("POST", "/api/tokens", "tokens"),
  r("DELETE", "/api/tokens/:id", "tokens"),

  // Dashboard pages
  r("GET", "/", "read"),
  r("GET", "/studio", "read"),
  r("GET", "/studio/social/telegram-stats", "read"),
  r("GET", "/studio/social/telegram-stats/export.csv", "read"),
  r("GET", "/studio/social/telegram-stats/rows.json", "read"),
  r("POST", "/studio/social/telegram-stats/refresh", "tasks"),
  r("GET", "/telegram/channel-stats", "read"),
  r("GET", "/telegram/send-message", "read"),
  r("POST", "/telegram/send-message", "send"),
  r("GET", "/admin", "read"),
  r("GET", "/admin/bots", "read"),
  r("GET", "/admin/bots/new", "read"),
  r("POST", "/admin/bots/new", "bots"),
  r("GET", "/admin/bots/:id", "read"),
  r("POST", "/admin/bots/:id", "bots"),
  r("POST", "/admin/bots/:id/activate", "bots"),
  r("POST", "/admin/bots/:id/webhook/:action{set|delete}", "webhooks"),
  // The webhook health console (src/routes/pages/webhook-health.tsx)
  r("GET", "/admin/bots/:id{[0-9]+}/webhook", "read"),
  ...["apply", "rotate", "drop-pending", "remove"].map((a) => r("POST", `/admin/bots/:id{[0-9]+}/webhook/${a}`, "webhooks")),
  r("POST", "/admin/bots/:id{[0-9]+}/webhook/dead-letters/:update_id{[0-9]+}/replay", "bots"),
  r("POST", "/admin/bots/:id{[0-9]+}/webhook/dead-letters/:update_id{[0-9]+}/discard", "bots"),
  r("GET", "/admin/commands", "read"),
  r("GET", "/admin/commands/new", "read"),
  r("POST", "/admin/commands/new", "commands"),
  r("GET", "/admin/commands/:id{[0-9]+}", "read"),
  r("POST", "/admin/commands/:id{[0-9]+}", "commands"),
  r("POST", "/admin/commands/:id{[0-9]+}/delete", "commands"),
  r("POST", "/admin/commands/sync/:bot_id{[0-9]+}", "commands"),
  r("GET", "/admin/content", "read"),
  r("POST", "/admin/content/new", "content"),
  r("POST", "/admin/content/:id{[0-9]+}/delete", "content"),
  r("GET", "/admin/ai", "read"),
  r("POST", "/admin/ai/:id{[0-9]+}", "ai"),
  r("POST", "/admin/ai/:id{[0-9]+}/modes", "ai-modes"),
  r("POST", "/admin/ai/:id{[0-9]+}/modes/:mode_id{[0-9]+}/delete", "ai-modes"),
  r("GET", "/admin/staff", "staff"),
  r("POST", "/admin/staff/new", "staff"),
  r("POST", "/admin/staff/:id{[0-9]+}", "staff"),
  r("POST", "/admin/staff/:id{[0-9]+}/delete", "staff"),
  r("GET", "/admin/tokens", "tokens"),
  r("POST", "/admin/tokens/new", "tokens"),
  r("POST", "/admin/tokens/:id{[0-9]+}/revoke", "tokens"),
  r("GET", "/admin/chats", "read"),
  r("GET", "/admin/users", "read"),
  r("GET", "/admin/messages", "read"),
  r("GET", "/admin/sessions", "read"),
  r("GET", "/admin/feedback", "read"),
];

const RULE_BY_ROUTE = new Map(RULES.map((x) => [`${x.method} ${x.path}`, x]));

/** The rule of a route as the app registers it (method and path pattern), if it has one. */
export function ruleFor(method: string, path: string): Rule | undefined {
  return RULE_BY_ROUTE.get(`${method} ${path}`);
}

/** What a refusal says: the permission, the role that holds it and the caller's role. */
function refusal(access: Permission, role: string): string {
  return `A ${role} may not do this: it needs the "${access}" permission (role ${PERMISSIONS[access]} or higher)`;
}

/**
 * The middleware. The routes Hono's own router matched for this request (all of them, in
 * case a handler passes on with next()) are looked up in RULES; the caller needs every
 * permission they name. A matched route with no rule is refused; a path nothing serves
 * goes on to its 404.
 */
export function accessControl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const handlers = matchedRoutes(c).filter((x) => x.method !== "ALL");
    if (handlers.length === 0) return next(); // nothing serves it: 404
    const rules = handlers.map((x) => ruleFor(x.method, x.path));
    if (rules.every((x) => x?.access === "public" || x?.access === "webhook")) return next();

    const principal = await identify(c);
    if (!principal) {
      if (wantsLoginPage(c)) {
        const u = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(u.pathname + u.search)}`, 302);
      }
      throw new AppError("UNAUTHORIZED", "Authentication required: send Authorization: Bearer <token> or log in");
    }
    for (const [i, rule] of rules.entries()) {
      if (!rule) {
        const route = handlers[i];
        c.var.log.error("route without an access rule refused", { route: `${route?.method} ${route?.path}` });
        throw new AppError("FORBIDDEN", `No access rule for ${route?.method} ${route?.path}: refused until one is added`);
      }
      if (rule.access === "public" || rule.access === "webhook") continue;
      if (!allows(principal.role, rule.access)) throw new AppError("FORBIDDEN", refusal(rule.access, principal.role));
    }
    return next();
  };
}
