// Builds the Hono app: per-request services, one error mapping, and one sub-app per surface.
import { type ErrorHandler, Hono } from "hono";
import { createDb } from "./db/client";
import type { AppEnv } from "./env";
import { AppError, errorBody } from "./lib/errors";
import { createLogger } from "./lib/log";
import { applySecurityHeaders } from "./lib/security-headers";
import { accessControl } from "./middleware/access";
import { mountRoutes } from "./routes";
import { botsApi } from "./routes/bots-api";
import { pageErrorHandler, wantsHtml } from "./routes/pages/common";
import { webhookRoute } from "./routes/webhook";
import { toAppError } from "./services/to-app-error";

/** A Hono app with the per-request services, the 404 answer and the one error mapping. */
function baseApp() {
  // strict: false lets "/path" and "/path/" both match, so a missing trailing slash is not a 404.
  const app = new Hono<AppEnv>({ strict: false });

  app.use(async (c, next) => {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("log", createLogger({ request_id: requestId, method: c.req.method, path: c.req.path }));
    c.set("db", createDb(c.env.DB));
    await next();
    try {
      applySecurityHeaders(c.res.headers);
    } catch {
      // A response with immutable headers (one passed through from fetch): copy it first.
      c.res = new Response(c.res.body, c.res);
      applySecurityHeaders(c.res.headers);
    }
  });

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.onError(baseErrorHandler);

  return app;
}

/** The JSON rendering of toAppError; 5xx are logged with their cause, clients get the message. */
const baseErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  const e = toAppError(err);
  if (e.status >= 500) {
    c.get("log")?.error("request failed", {
      code: e.code,
      error: err,
      cause: e.cause,
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
  const retryAfter = (e.details as { retry_after?: unknown } | undefined)?.retry_after;
  if (e.status === 429 && typeof retryAfter === "number") c.header("retry-after", String(retryAfter));
  return c.json(errorBody(e.code, e.message, e.details, c.get("requestId")), e.status);
};

export function createApp() {
  const app = baseApp();
  // The one access check, before every route: see src/middleware/access.ts.
  app.use(accessControl());
  // A refusal from it, for a browser on a page, is a readable page rather than JSON.
  app.onError((err, c) => {
    if (err instanceof AppError && err.code === "FORBIDDEN" && !c.req.path.startsWith("/api/") && wantsHtml(c)) {
      return pageErrorHandler(err, c);
    }
    return baseErrorHandler(err, c);
  });
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/api/bots", botsApi);
  mountRoutes(app);
  return app;
}

/**
 * The webhook delivery route alone, with the same services and error answers as the full
 * app. Deliveries are most of the traffic; the full app's router (~100 routes, including
 * patterns Hono's fastest router cannot take) costs them measurably, so the entry point
 * sends them here (see src/index.ts).
 */
export function createWebhookApp() {
  const app = baseApp();
  app.route("/telegram/webhook", webhookRoute);
  return app;
}

const DELIVERY_PREFIX = "/telegram/webhook/";

/** POST /telegram/webhook/{bot_id}/ (or without the slash): a Telegram delivery. */
export function isWebhookDelivery(request: Request): boolean {
  if (request.method !== "POST") return false;
  // The path without parsing the whole URL (as Hono's own getPath does).
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0 || !url.startsWith(DELIVERY_PREFIX, start)) return false;
  let end = url.length;
  for (const mark of ["?", "#"]) {
    const at = url.indexOf(mark, start);
    if (at >= 0 && at < end) end = at;
  }
  let id = url.slice(start + DELIVERY_PREFIX.length, end);
  if (id.endsWith("/")) id = id.slice(0, -1);
  return id.length > 0 && !id.includes("/");
}
