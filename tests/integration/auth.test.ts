// Staff access: login, logout, failed-login rate limiting, CSRF, anonymous redirects,
// the bearer token, and the admin-only staff API.
import { describe, expect, it } from "vitest";
import { api, apiJson } from "../helpers/api";
import { cookieOf, createStaffAccount, form, login, loginForm, page, postLogin, setCookieLine } from "./dashboard-login";

const ADMIN = { username: "alice", password: "alice-password-1" };

describe("staff login and logout", () => {
  it("creates staff through the admin-only API, never answering the hash", async () => {
    const created = await createStaffAccount(ADMIN.username, ADMIN.password, "admin");
    expect(created).toMatchObject({ username: "alice", role: "admin", is_active: true });
    expect(JSON.stringify(created)).not.toMatch(/pbkdf2|password/);
    const dup = await apiJson("/api/staff", { body: { username: "alice", password: "another-password" } });
    expect(dup.status).toBe(409);
    const short = await apiJson("/api/staff", { body: { username: "bob", password: "short" } });
    expect(short.status).toBe(400);
    const list = await apiJson<{ count: number; results: { username: string }[] }>("/api/staff");
    expect(list.body.results.map((s) => s.username)).toContain("alice");
    expect((await api("/api/staff", { token: null })).status).toBe(401);
  });

  it("redirects an anonymous page visit to the login page, and refuses anonymous JSON", async () => {
    const res = await page("/studio/social/telegram-stats/?bot_id=1");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/studio/social/telegram-stats/?bot_id=1")}`);
    const json = await api("/studio/social/telegram-stats/", { token: null });
    expect(json.status).toBe(401);
  });

  it("logs in with the right password: a secure, httpOnly, SameSite session cookie and a redirect to next", async () => {
    const res = await postLogin(ADMIN.username, ADMIN.password, { next: "/admin/bots/", ip: "10.1.1.1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/bots/");
    const line = setCookieLine(res, "tgp_session") ?? "";
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/Secure/i);
    expect(line).toMatch(/SameSite=Lax/i);
    const cookie = `tgp_session=${cookieOf(res, "tgp_session")}`;
    const home = await page("/", { cookie });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("alice");
    expect(html).toContain("/admin/tokens/"); // admins are offered the tokens page
    expect(html).toContain('name="csrf-token"');
  });

  it("never redirects off-site after login", async () => {
    const res = await postLogin(ADMIN.username, ADMIN.password, { next: "//evil.example/x", ip: "10.1.1.2" });
    expect(res.headers.get("location")).toBe("/");
  });

  it("shows a readable error for a wrong password and sets no session", async () => {
    const res = await postLogin(ADMIN.username, "wrong-password", { ip: "10.2.2.2" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Wrong username or password.");
    expect(cookieOf(res, "tgp_session")).toBeUndefined();
    const unknown = await postLogin("nobody", "whatever-password", { ip: "10.2.2.2" });
    expect(await unknown.text()).toContain("Wrong username or password.");
  });

  it("refuses a login post without the form's CSRF token", async () => {
    const { cookie } = await loginForm();
    const f = form({ username: ADMIN.username, password: ADMIN.password });
    const res = await page("/login", { method: "POST", cookie, body: f.body, headers: f.headers });
    expect(res.status).toBe(403);
    expect(cookieOf(res, "tgp_session")).toBeUndefined();
  });

  it("rate-limits failed logins per username and address", async () => {
    const ip = "10.3.3.3";
    for (let i = 0; i < 5; i++) expect((await postLogin(ADMIN.username, `bad-${i}`, { ip })).status).toBe(401);
    const blocked = await postLogin(ADMIN.username, ADMIN.password, { ip });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("Too many failed attempts");
    expect(cookieOf(blocked, "tgp_session")).toBeUndefined();
    // Another address is not locked out by someone else's guesses.
    expect((await postLogin(ADMIN.username, ADMIN.password, { ip: "10.3.3.4" })).status).toBe(303);
  });

  it("refuses a session write without the CSRF token, and logs out with it", async () => {
    // Another account: alice is near the per-username limit of attempts a minute (LOGIN_LIMITS).
    await createStaffAccount("lou", "lou-password-1", "staff");
    const s = await login("lou", "lou-password-1");
    const noToken = await page("/logout", { method: "POST", cookie: s.cookie, ...form({}) });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("Missing or invalid CSRF token");
    expect((await page("/", { cookie: s.cookie })).status).toBe(200);

    const f = form({ _csrf: s.csrf });
    const out = await page("/logout", { method: "POST", cookie: s.cookie, body: f.body, headers: f.headers });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login?logged_out=1");
    const after = await page("/", { cookie: s.cookie });
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/login/);
  });

  it("keeps the bearer token working for pages and APIs", async () => {
    const res = await api("/", { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Dashboard");
    expect((await api("/api/bots")).status).toBe(200);
  });

  it("lets only admins create staff", async () => {
    await createStaffAccount("sam", "sam-password-1", "staff");
    const s = await login("sam", "sam-password-1");
    const res = await page("/api/staff", {
      method: "POST",
      cookie: s.cookie,
      body: JSON.stringify({ username: "eve", password: "eve-password-1" }),
      headers: { "content-type": "application/json", "x-csrf-token": s.csrf, accept: "application/json" },
    });
    expect(res.status).toBe(403);
  });
});
