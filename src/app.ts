// Builds the Hono app: per-request services, one error mapping, and one sub-app per surface.
import { Hono } from "hono";
import { createDb } from "./db/client";
import type { AppEnv } from "./env";
import { AppError, errorBody } from "./lib/errors";
import { createLogger } from "./lib/log";
import { mountRoutes } from "./routes";
import { botsApi } from "./routes/bots-api";

export function createApp() {
  // strict: false lets "/path" and "/path/" both match, so a missing trailing slash is not a 404.
  const app = new Hono<AppEnv>({ strict: false });

  app.use(async (c, next) => {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("log", createLogger({ request_id: requestId, method: c.req.method, path: c.req.path }));
    c.set("db", createDb(c.env.DB));
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/api/bots", botsApi);
  mountRoutes(app);

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((err, c) => {
    const requestId = c.get("requestId");
    if (err instanceof AppError) {
      if (err.status >= 500) c.get("log")?.error("request failed", { code: err.code, error: err, cause: err.cause });
      return c.json(errorBody(err.code, err.message, err.details, requestId), err.status);
    }
    // Hono's own HTTPException (e.g. a body-limit rejection) keeps its status.
    if (typeof (err as { getResponse?: unknown }).getResponse === "function" && "status" in err) {
      const status = (err as { status: number }).status;
      const code = status === 413 ? "PAYLOAD_TOO_LARGE" : status === 401 ? "UNAUTHORIZED" : "BAD_REQUEST";
      return c.json(errorBody(code, err.message || "Request rejected", undefined, requestId), status as 400);
    }
    c.get("log")?.error("unhandled error", { error: err, stack: err instanceof Error ? err.stack : undefined });
    return c.json(errorBody("INTERNAL", "Internal error; it has been logged", undefined, requestId), 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
