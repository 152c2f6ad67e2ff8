// Logging in as a browser would, for the dashboard and auth tests: the login form's
// double-submit CSRF cookie, the session cookie, and the page's CSRF token.
import { exports } from "cloudflare:workers";
import { apiJson } from "../helpers/api";

export const ORIGIN = "https://platform.test";

export function cookieOf(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
}

export async function page(
  path: string,
  opts: { cookie?: string; method?: string; body?: BodyInit; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { accept: "text/html", ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, { method: opts.method ?? "GET", headers, body: opts.body, redirect: "manual" }),
  );
}

export function form(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return { body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } };
}

export async function loginForm(): Promise<{ csrf: string; cookie: string }> {
  const res = await page("/login");
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = cookieOf(res, "tgp_login_csrf");
  if (!csrf || !cookie) throw new Error("login form has no CSRF token");
  return { csrf, cookie: `tgp_login_csrf=${cookie}` };
}

export async function postLogin(username: string, password: string, extra: { ip?: string; next?: string } = {}) {
  const { csrf, cookie } = await loginForm();
  const f = form({ _csrf: csrf, username, password, next: extra.next ?? "/" });
  return page("/login", {
    method: "POST",
    cookie,
    body: f.body,
    headers: { ...f.headers, ...(extra.ip ? { "cf-connecting-ip": extra.ip } : {}) },
  });
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Logs in and answers the session cookie and the CSRF token the pages carry. */
export async function login(username: string, password: string): Promise<Session> {
  const res = await postLogin(username, password, { ip: `10.0.0.${Math.floor(Math.random() * 250)}` });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = `tgp_session=${cookieOf(res, "tgp_session")}`;
  const home = await (await page("/", { cookie })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(home)?.[1];
  if (!csrf) throw new Error("no csrf meta on the home page");
  return { cookie, csrf };
}

export async function createStaffAccount(username: string, password: string, role: "viewer" | "staff" | "admin" = "admin") {
  const { status, body } = await apiJson("/api/staff", { body: { username, password, role } });
  if (status !== 201) throw new Error(`create staff failed: ${status} ${JSON.stringify(body)}`);
  return body;
}
