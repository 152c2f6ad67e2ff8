// The admin pages reuse the JSON API's own handlers (POST /api/bots, webhook set/delete, ...)
// instead of duplicating their logic: a form post is replayed as an in-process API request
// with the caller's own credentials (session cookie + CSRF header, or bearer token).
import type { AppEnv } from "../../env";
import { AppError, type ErrorBody } from "../../lib/errors";
import type { Ctx } from "./common";

export interface InternalResult<T> {
  ok: boolean;
  status: number;
  body: T | ErrorBody | null;
  /** A readable message for a failure (the API's own error message). */
  message: string;
}

export async function internalApi<T = Record<string, unknown>>(
  c: Ctx,
  method: string,
  path: string,
  body?: unknown,
): Promise<InternalResult<T>> {
  // Imported here, not at the top: app.ts mounts this module, so a static import would be circular.
  const { createApp } = await import("../../app");
  const headers = new Headers({ accept: "application/json" });
  const auth = c.req.header("authorization");
  if (auth) headers.set("authorization", auth);
  const cookie = c.req.header("cookie");
  if (cookie) headers.set("cookie", cookie);
  const csrf = c.get("csrfToken");
  if (csrf) headers.set("x-csrf-token", csrf);
  if (body !== undefined) headers.set("content-type", "application/json");
  const req = new Request(new URL(path, c.req.url), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let ctx: Ctx["executionCtx"] | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // no execution context (e.g. app.request in a unit test)
  }
  let res: Response;
  try {
    res = await createApp().fetch(req, c.env as AppEnv["Bindings"], ctx);
  } catch (cause) {
    throw new AppError("INTERNAL", `Internal call ${method} ${path} failed`, undefined, { cause });
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const err = (parsed as ErrorBody | null)?.error;
  const message = res.ok
    ? "ok"
    : res.status === 404 && err?.message?.startsWith("No route")
      ? "This action is not available on this server yet."
      : (err?.message ?? `Request failed with status ${res.status}`);
  return { ok: res.ok, status: res.status, body: parsed as T | ErrorBody | null, message };
}
