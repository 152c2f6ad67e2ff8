// Every route except the Telegram webhook (and the login page) needs either the
// operators' bearer token or a staff session. Session-authenticated writes also
// need the session's CSRF token, as a form field `_csrf` or an `x-csrf-token` header.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { readStaffSession, SESSION_COOKIE, sessionPrincipal } from "../lib/staff-sessions";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      const expected = c.env.ADMIN_API_TOKEN;
      if (!match?.[1] || !expected || !timingSafeEqual(match[1], expected)) {
        throw new AppError("UNAUTHORIZED", "Invalid bearer token");
      }
      c.set("principal", { kind: "token" });
      return next();
    }

    const session = await readStaffSession(c.env.KV, getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (wantsHtml(c)) {
        const next = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`, 302);
      }
      throw new AppError("UNAUTHORIZED", "Authentication required: send Authorization: Bearer <ADMIN_API_TOKEN> or log in");
    }
    c.set("principal", sessionPrincipal(session));
    c.set("csrfToken", session.csrf);

    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header("x-csrf-token") ?? (await formCsrf(c));
      if (!sent || !timingSafeEqual(sent, session.csrf)) {
        throw new AppError("FORBIDDEN", "Missing or invalid CSRF token; reload the page and try again");
      }
    }
    return next();
  };
}

/** Only admins may do this (bearer-token operators count as admins). */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    if (!p || (p.kind === "staff" && p.role !== "admin")) throw new AppError("FORBIDDEN", "Administrators only");
    return next();
  };
}

function wantsHtml(c: Context<AppEnv>): boolean {
  return SAFE_METHODS.has(c.req.method) && (c.req.header("accept") ?? "").includes("text/html");
}

async function formCsrf(c: Context<AppEnv>): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return undefined;
  const body = await c.req.parseBody(); // cached by Hono, so the handler can read it again
  const v = body._csrf;
  return typeof v === "string" ? v : undefined;
}
