// Who is calling: the operators' bootstrap bearer token (ADMIN_API_TOKEN, an admin), a
// per-person API token (its own role), or a staff session cookie. Session-authenticated
// writes also need the session's CSRF token, as a form field `_csrf` or an
// `x-csrf-token` header. What the caller may then do is decided in ./access.ts.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, Principal } from "../env";
import { timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { findLiveToken, touchToken } from "../services/api-tokens";
import { liveSessionPrincipal, readStaffSession, SESSION_COOKIE } from "../services/staff-sessions";

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Sets c.var.principal (and csrfToken for sessions), or answers why not: a 401 for a bad or
 * missing credential, null when there is none (the caller decides: 401 or the login page).
 */
export async function identify(c: Context<AppEnv>): Promise<Principal | null> {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const sent = match?.[1];
    if (!sent) throw new AppError("UNAUTHORIZED", "Invalid bearer token");
    const expected = c.env.ADMIN_API_TOKEN;
    if (expected && timingSafeEqual(sent, expected)) {
      return setPrincipal(c, { kind: "token", tokenId: null, name: "ADMIN_API_TOKEN", role: "admin" });
    }
    const row = await findLiveToken(c.var.db, sent);
    if (!row) throw new AppError("UNAUTHORIZED", "Invalid bearer token");
    const touch = touchToken(c.var.db, row).catch((error) =>
      c.var.log.warn("token last_used_at not recorded", { token_id: row.id, error }),
    );
    try {
      c.executionCtx.waitUntil(touch);
    } catch {
      await touch; // no execution context (a test calling app.request): just finish it
    }
    return setPrincipal(c, { kind: "token", tokenId: row.id, name: row.name, role: row.role });
  }

  const session = await readStaffSession(c.env.KV, getCookie(c, SESSION_COOKIE));
  if (!session) return null;
  const principal = await liveSessionPrincipal(c.var.db, session);
  if (!principal) return null; // deactivated, deleted, re-roled or new password: the session is over
  c.set("csrfToken", session.csrf);
  if (!SAFE_METHODS.has(c.req.method)) {
    const sent = c.req.header("x-csrf-token") ?? (await formCsrf(c));
    if (!sent || !timingSafeEqual(sent, session.csrf)) {
      throw new AppError("FORBIDDEN", "Missing or invalid CSRF token; reload the page and try again");
    }
  }
  return setPrincipal(c, principal);
}

function setPrincipal(c: Context<AppEnv>, p: Principal): Principal {
  c.set("principal", p);
  return p;
}

export function wantsLoginPage(c: Context<AppEnv>): boolean {
  return SAFE_METHODS.has(c.req.method) && (c.req.header("accept") ?? "").includes("text/html");
}

async function formCsrf(c: Context<AppEnv>): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return undefined;
  const body = await c.req.parseBody(); // cached by Hono, so the handler can read it again
  const v = body._csrf;
  return typeof v === "string" ? v : undefined;
}
