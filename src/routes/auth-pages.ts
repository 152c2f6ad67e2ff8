// GET/POST /login and POST /logout. The login form has no session yet, so its CSRF
// token is a double-submit cookie: the form field must equal the short-lived cookie.
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { randomToken, timingSafeEqual } from "../lib/crypto";
import { authenticate } from "../services/staff";
import {
  createStaffSession,
  deleteStaffSession,
  liveSessionPrincipal,
  readStaffSession,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
} from "../services/staff-sessions";
import { LoginPage, type LoginPageProps } from "../views/pages/login";
import { formFields, pageErrorHandler } from "./pages/common";

const LOGIN_CSRF_COOKIE = "tgp_login_csrf";
const cookieBase = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;

const SAME_SITE = "https://same-site.invalid";
// Browsers drop tabs and newlines from URLs and read "\\" as "/", so "/\t/evil" and "/\\evil"
// would leave the site: a destination holding either, raw or percent-encoded, is refused.
const hasUnsafeChar = (s: string) => [...s].some((ch) => ch === "\\" || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

/**
 * Only same-site paths may be a post-login destination (no open redirect), whatever the
 * encoding: the value is decoded until it stops changing and checked at every step, then
 * resolved against a placeholder origin and must stay on it, and the path answered is the
 * normalised one (so "/a/..//evil" cannot become "//evil" on the way out).
 */
export function safeNext(raw: string | undefined): string {
  if (!raw || raw.length > 2048) return "/";
  let decoded = raw;
  for (let i = 0; i < 5; i++) {
    if (!decoded.startsWith("/") || decoded.startsWith("//") || hasUnsafeChar(decoded)) return "/";
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return "/";
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (!decoded.startsWith("/") || decoded.startsWith("//") || hasUnsafeChar(decoded)) return "/";
  let url: URL;
  try {
    url = new URL(raw, SAME_SITE);
  } catch {
    return "/";
  }
  if (url.origin !== SAME_SITE) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || /^\/login(\/|\?|#|$)/.test(path)) return "/";
  return path;
}

function loginPage(c: Context<AppEnv>, props: Omit<LoginPageProps, "csrf">, status: 200 | 401 | 403 | 429 = 200) {
  const csrf = randomToken(24);
  setCookie(c, LOGIN_CSRF_COOKIE, csrf, { ...cookieBase, maxAge: 60 * 60 });
  c.header("cache-control", "no-store");
  return c.html(LoginPage({ ...props, csrf }), status);
}

export const authPages = new Hono<AppEnv>({ strict: false })
  .onError(pageErrorHandler)
  .get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    // Already signed in: nothing to do here.
    // (A session whose account was deactivated or changed since is over: show the form.)
    const session = await readStaffSession(c.env.KV, getCookie(c, SESSION_COOKIE));
    if (session && (await liveSessionPrincipal(c.var.db, session))) return c.redirect(next, 302);
    return loginPage(c, { next, info: c.req.query("logged_out") ? "You have been logged out." : undefined });
  })
  .post("/login", async (c) => {
    const form = await formFields(c);
    const next = safeNext(form.next);
    const username = (form.username ?? "").trim();
    const cookie = getCookie(c, LOGIN_CSRF_COOKIE);
    if (!cookie || !form._csrf || !timingSafeEqual(cookie, form._csrf)) {
      return loginPage(c, { next, username, error: "The login form expired; please try again." }, 403);
    }
    if (!username || !form.password) return loginPage(c, { next, username, error: "Enter your username and password." }, 401);
    const ip = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "local";
    const result = await authenticate(c.env, c.var.db, username, form.password, ip);
    if (!result.ok) {
      if (result.reason === "rate_limited") {
        const minutes = Math.max(1, Math.ceil((result.retryAfter ?? 60) / 60));
        c.header("retry-after", String(result.retryAfter ?? 60));
        return loginPage(c, { next, username, error: `Too many failed attempts. Try again in ${minutes} minute(s).` }, 429);
      }
      c.var.log.warn("staff login failed", { username });
      return loginPage(c, { next, username, error: "Wrong username or password." }, 401);
    }
    const { id } = await createStaffSession(c.env.KV, result.staff);
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/", secure: true });
    setCookie(c, SESSION_COOKIE, id, { ...cookieBase, maxAge: SESSION_TTL_SECONDS });
    c.var.log.info("staff login", { staff_id: result.staff.id });
    return c.redirect(next, 303);
  })
  .post("/logout", async (c) => {
    await deleteStaffSession(c.env.KV, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.redirect("/login?logged_out=1", 303);
  });
