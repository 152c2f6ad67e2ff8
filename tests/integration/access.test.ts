// Access by role (issue 13): a staff session refused on the admin-only bot, webhook and
// staff calls with the bot unchanged; per-person API tokens (shown once, hashed, last use
// recorded at most once a minute, revocable); staff changes ending sessions; the last
// admin kept; and login throttling that holds under parallel guesses.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { sha256Hex } from "../../src/lib/crypto";
import { authenticate, LOGIN_LIMITS } from "../../src/services/staff";
import { api, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { createStaffAccount, form, login, page, postLogin, type Session } from "./dashboard-login";
import { setupBot, type TestBot } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8801, "access_bot");
});
afterAll(() => fake.close());

/** A JSON call with a session, as the dashboard's own scripts make it (CSRF header included). */
function asSession(s: Session, path: string, method: string, body?: unknown) {
  return page(path, {
    method,
    cookie: s.cookie,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { accept: "application/json", "x-csrf-token": s.csrf, ...(body === undefined ? {} : { "content-type": "application/json" }) },
  });
}

async function botRow(id: number) {
  return env.DB.prepare("SELECT * FROM bots WHERE id = ?").bind(id).first();
}

describe("a plain staff account", () => {
  let staff: Session;
  beforeAll(async () => {
    await createStaffAccount("plain-staff", "plain-staff-password", "staff");
    staff = await login("plain-staff", "plain-staff-password");
  });

  it("is refused 403 on every admin-only bot, webhook and staff call, and the bot is unchanged", async () => {
    const before = await botRow(bot.id);
    const telegramCalls = fake.calls.length;
    const staffCount = await env.DB.prepare("SELECT count(*) AS n FROM staff_users").first<{ n: number }>();
    const attempts: [string, string, unknown][] = [
      ["PATCH", `/api/bots/${bot.id}`, { name: "taken-over", is_active: false }],
      ["POST", `/telegram/webhook/${bot.id}/set/`, { url: "https://attacker.example/hook" }],
      ["POST", `/telegram/webhook/${bot.id}/delete/`, {}],
      ["POST", "/api/bots", { name: "intruder", token: "123456:AAEintruderintruderintruder" }],
      ["POST", "/api/staff", { username: "eve", password: "eve-password-1", role: "admin" }],
      ["DELETE", `/api/bots/${bot.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await asSession(staff, path, method, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe("FORBIDDEN");
      expect(json.error.message).toMatch(/staff may not/);
    }
    expect(await botRow(bot.id)).toEqual(before);
    expect(fake.calls.length).toBe(telegramCalls);
    expect(fake.webhooks.get(bot.token)?.url).not.toContain("attacker");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM staff_users").first<{ n: number }>()).toEqual(staffCount);
  });

  it("gets the same answer for HEAD as for GET, and an unknown path is still a 404", async () => {
    expect((await page("/api/staff", { method: "HEAD", cookie: staff.cookie, headers: { accept: "application/json" } })).status).toBe(403);
    expect((await api("/api/staff", { method: "HEAD", token: null })).status).toBe(401);
    expect((await asSession(staff, "/api/no-such-thing", "GET")).status).toBe(404);
    expect((await asSession(staff, "/api/bots", "OPTIONS")).status).toBe(404);
  });

  it("still does the daily work: reads, and sends a message", async () => {
    expect((await asSession(staff, "/api/bots", "GET")).status).toBe(200);
    const sent = await asSession(staff, `/telegram/bot/${bot.id}/send/`, "POST", { chat_id: 5001, text: "hello" });
    expect(sent.status).toBe(200);
  });

  it("sees a readable 403 page when a form posts to an admin-only page", async () => {
    const f = form({ _csrf: staff.csrf, name: "x" });
    const res = await page(`/admin/bots/${bot.id}/activate`, { method: "POST", cookie: staff.cookie, body: f.body, headers: f.headers });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Not allowed");
  });
});

describe("per-person API tokens", () => {
  it("are created by an admin, shown once, stored hashed, listed without the secret, and act with their role", async () => {
    const created = await apiJson<{ id: number; token: string; role: string; prefix: string }>("/api/tokens", {
      body: { name: "reporting script", role: "viewer" },
    });
    expect(created.status).toBe(201);
    const token = created.body.token;
    expect(token).toMatch(/^tgp_[A-Za-z0-9_-]{40,}$/);
    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(created.body.id).first<Record<string, unknown>>();
    expect(row?.token_hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const list = await apiJson<{ results: Record<string, unknown>[] }>("/api/tokens");
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(list.body.results.find((t) => t.id === created.body.id)).toMatchObject({
      name: "reporting script",
      role: "viewer",
      active: true,
    });

    // A viewer token reads, and is refused writes and the token API itself.
    expect((await api("/api/bots", { token })).status).toBe(200);
    expect((await api(`/api/bots/${bot.id}`, { token, method: "PATCH", body: { name: "x" } })).status).toBe(403);
    expect((await api("/api/tokens", { token })).status).toBe(403);
    expect((await api("/api/tokens", { token, body: { name: "escalate", role: "admin" } })).status).toBe(403);
  });

  it("records the last use at most once a minute", async () => {
    const { body } = await apiJson<{ id: number; token: string }>("/api/tokens", { body: { name: "last-used", role: "staff" } });
    const lastUsed = async () =>
      (await env.DB.prepare("SELECT last_used_at FROM api_tokens WHERE id = ?").bind(body.id).first<{ last_used_at: number | null }>())
        ?.last_used_at ?? null;
    expect(await lastUsed()).toBeNull();
    await Promise.all(Array.from({ length: 10 }, () => api("/api/bots", { token: body.token })));
    const first = await lastUsed();
    expect(first).toBeGreaterThan(0);
    // Pretend the last use was 30 s ago: not rewritten. 61 s ago: rewritten.
    await env.DB.prepare("UPDATE api_tokens SET last_used_at = unixepoch() - 30 WHERE id = ?").bind(body.id).run();
    const thirty = await lastUsed();
    await api("/api/bots", { token: body.token });
    expect(await lastUsed()).toBe(thirty);
    await env.DB.prepare("UPDATE api_tokens SET last_used_at = unixepoch() - 61 WHERE id = ?").bind(body.id).run();
    await api("/api/bots", { token: body.token });
    expect(await lastUsed()).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 2);
  });

  it("are revoked at once: the next call is 401", async () => {
    const { body } = await apiJson<{ id: number; token: string }>("/api/tokens", { body: { name: "to revoke", role: "admin" } });
    expect((await api("/api/tokens", { token: body.token })).status).toBe(200);
    const revoked = await apiJson<{ active: boolean; revoked_at: number }>(`/api/tokens/${body.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(revoked.body.active).toBe(false);
    expect((await api("/api/tokens", { token: body.token })).status).toBe(401);
    expect((await apiJson("/api/tokens/999999", { method: "DELETE" })).status).toBe(404);
  });

  it("are created and revoked on the dashboard page, the token shown once", async () => {
    await createStaffAccount("token-admin", "token-admin-password", "admin");
    const s = await login("token-admin", "token-admin-password");
    const f = form({ _csrf: s.csrf, name: "from the page", role: "staff" });
    const res = await page("/admin/tokens/new", { method: "POST", cookie: s.cookie, body: f.body, headers: f.headers });
    expect(res.status).toBe(201);
    const html = await res.text();
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(html)?.[1] ?? "";
    expect(token).toMatch(/^tgp_/);
    expect((await api("/api/bots", { token })).status).toBe(200);
    const listing = await (await page("/admin/tokens/", { cookie: s.cookie })).text();
    expect(listing).toContain("from the page");
    expect(listing).not.toContain(token);
    const bad = form({ _csrf: s.csrf, name: "", role: "staff" });
    expect((await page("/admin/tokens/new", { method: "POST", cookie: s.cookie, body: bad.body, headers: bad.headers })).status).toBe(400);
    const id = (await env.DB.prepare("SELECT id FROM api_tokens WHERE name = 'from the page'").first<{ id: number }>())?.id;
    const rv = form({ _csrf: s.csrf });
    const revoke = await page(`/admin/tokens/${id}/revoke`, { method: "POST", cookie: s.cookie, body: rv.body, headers: rv.headers });
    expect(revoke.status).toBe(303);
    expect((await api("/api/bots", { token })).status).toBe(401);
  });
});

describe("staff account changes", () => {
  it("deactivating an account ends its sessions at once; reactivating does not revive them", async () => {
    const created = (await createStaffAccount("leaver", "leaver-password-1", "staff")) as { id: number };
    const s = await login("leaver", "leaver-password-1");
    expect((await page("/", { cookie: s.cookie })).status).toBe(200);
    const off = await apiJson<{ is_active: boolean }>(`/api/staff/${created.id}`, { method: "PATCH", body: { is_active: false } });
    expect(off.status).toBe(200);
    expect(off.body.is_active).toBe(false);
    const after = await page("/", { cookie: s.cookie });
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/login/);
    expect((await asSession(s, "/api/bots", "GET")).status).toBe(401);
    // The login page shows its form to a dead session (no redirect loop).
    expect((await page("/login", { cookie: s.cookie })).status).toBe(200);
    expect((await postLogin("leaver", "leaver-password-1", { ip: "10.9.0.1" })).status).toBe(401);
    await apiJson(`/api/staff/${created.id}`, { method: "PATCH", body: { is_active: true } });
    expect((await page("/", { cookie: s.cookie })).status).toBe(302);
  });

  it("a new password ends sessions and only the new one logs in; a role change takes effect at once", async () => {
    const created = (await createStaffAccount("mover", "mover-password-1", "viewer")) as { id: number };
    const s = await login("mover", "mover-password-1");
    expect((await asSession(s, `/telegram/bot/${bot.id}/send/`, "POST", { chat_id: 5001, text: "x" })).status).toBe(403);
    expect((await apiJson(`/api/staff/${created.id}`, { method: "PATCH", body: { password: "mover-password-2" } })).status).toBe(200);
    expect((await page("/", { cookie: s.cookie })).status).toBe(302);
    expect((await postLogin("mover", "mover-password-1", { ip: "10.9.0.2" })).status).toBe(401);
    const s2 = await login("mover", "mover-password-2");
    expect((await apiJson(`/api/staff/${created.id}`, { method: "PATCH", body: { role: "staff" } })).status).toBe(200);
    expect((await page("/", { cookie: s2.cookie })).status).toBe(302); // re-roled: log in again
    const s3 = await login("mover", "mover-password-2");
    expect((await asSession(s3, `/telegram/bot/${bot.id}/send/`, "POST", { chat_id: 5001, text: "x" })).status).toBe(200);
    expect((await apiJson(`/api/staff/${created.id}`, { method: "PATCH", body: { password: "short" } })).status).toBe(400);
    expect((await apiJson(`/api/staff/${created.id}`, { method: "PATCH", body: {} })).status).toBe(400);
  });

  it("deleting an account ends its sessions; the last active admin cannot be removed", async () => {
    const gone = (await createStaffAccount("gone", "gone-password-1", "staff")) as { id: number };
    const s = await login("gone", "gone-password-1");
    expect((await apiJson(`/api/staff/${gone.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await page("/", { cookie: s.cookie })).status).toBe(302);
    expect((await apiJson(`/api/staff/${gone.id}`, { method: "DELETE" })).status).toBe(404);

    // Make every admin but one inactive, then try to remove that one.
    const admins = (await env.DB.prepare("SELECT id FROM staff_users WHERE role = 'admin' AND is_active = 1").all<{ id: number }>())
      .results;
    for (const a of admins.slice(1)) await apiJson(`/api/staff/${a.id}`, { method: "PATCH", body: { is_active: false } });
    const last = admins[0]?.id ?? 0;
    for (const change of [{ is_active: false }, { role: "staff" }]) {
      const res = await apiJson<{ error: { code: string } }>(`/api/staff/${last}`, { method: "PATCH", body: change });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("CONFLICT");
    }
    expect((await apiJson(`/api/staff/${last}`, { method: "DELETE" })).status).toBe(409);
    // Two admins removing each other at once: one of them stays.
    const other = (await createStaffAccount("second-admin", "second-admin-password", "admin")) as { id: number };
    const both = await Promise.all([
      apiJson(`/api/staff/${last}`, { method: "PATCH", body: { is_active: false } }),
      apiJson(`/api/staff/${other.id}`, { method: "PATCH", body: { is_active: false } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM staff_users WHERE role = 'admin' AND is_active = 1").first<{ n: number }>();
    expect(n?.n).toBe(1);
    for (const a of admins.slice(1)) await apiJson(`/api/staff/${a.id}`, { method: "PATCH", body: { is_active: true } });
  });

  it("the staff page changes and deletes accounts, and shows a refusal as an error notice", async () => {
    await createStaffAccount("page-admin", "page-admin-password", "admin");
    const s = await login("page-admin", "page-admin-password");
    const target = (await createStaffAccount("page-target", "page-target-password", "staff")) as { id: number };
    const post = (path: string, fields: Record<string, string>) => {
      const f = form({ _csrf: s.csrf, ...fields });
      return page(path, { method: "POST", cookie: s.cookie, body: f.body, headers: f.headers });
    };
    const saved = await post(`/admin/staff/${target.id}`, { role: "viewer", is_active: "0" });
    expect(saved.status).toBe(303);
    expect(decodeURIComponent(saved.headers.get("location") ?? "")).toContain("ok=");
    const row = await env.DB.prepare("SELECT role, is_active FROM staff_users WHERE id = ?").bind(target.id).first();
    expect(row).toEqual({ role: "viewer", is_active: 0 });
    const short = await post(`/admin/staff/${target.id}`, { password: "short" });
    expect(new URL(short.headers.get("location") ?? "", "https://x").searchParams.get("error")).toMatch(/^Password must be/);
    expect((await post(`/admin/staff/${target.id}/delete`, {})).status).toBe(303);
    expect(await env.DB.prepare("SELECT id FROM staff_users WHERE id = ?").bind(target.id).first()).toBeNull();
    const html = await (await page("/admin/staff/", { cookie: s.cookie })).text();
    expect(html).toContain("page-admin");
    expect(html).not.toContain("pbkdf2");
  });
});

// Up to 10 s waiting for a fresh window, then dozens of logins (and PBKDF2 hashes) at once.
describe("login throttling under parallel guesses", { timeout: 60_000 }, () => {
  /** The limiter's windows are aligned to the clock minute: keep a burst inside one. */
  async function insideOneWindow() {
    const s = new Date().getSeconds();
    if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
  }

  it("lets at most the per-username limit reach the password check, from many addresses at once", async () => {
    await createStaffAccount("target-user", "target-user-password", "staff");
    await insideOneWindow();
    const n = 40;
    const res = await Promise.all(
      Array.from({ length: n }, (_, i) => postLogin("target-user", `guess-${i}`, { ip: `10.77.${Math.floor(i / 250)}.${i % 250}` })),
    );
    const statuses = res.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401).length;
    const throttled = statuses.filter((s) => s === 429).length;
    console.info(`[access] ${n} parallel guesses at one username: ${checked} reached the password check, ${throttled} got 429`);
    expect(checked + throttled).toBe(n);
    expect(checked).toBeLessThanOrEqual(LOGIN_LIMITS.perUsername);
    expect(checked).toBeGreaterThan(0);
    // The right password is refused too while the window lasts.
    expect((await postLogin("target-user", "target-user-password", { ip: "10.78.0.1" })).status).toBe(429);
  });

  it("lets at most the per-address limit through from one address guessing many usernames", async () => {
    await insideOneWindow();
    const n = 50;
    const res = await Promise.all(Array.from({ length: n }, (_, i) => postLogin(`someone-${i}`, "guess", { ip: "10.79.0.1" })));
    const checked = res.filter((r) => r.status === 401).length;
    console.info(`[access] ${n} parallel guesses from one address: ${checked} reached the password check`);
    expect(checked + res.filter((r) => r.status === 429).length).toBe(n);
    expect(checked).toBeLessThanOrEqual(LOGIN_LIMITS.perAddress);
    expect(checked).toBeGreaterThan(0);
  });

  it("(for contrast) the KV counter alone lets parallel guesses through far beyond its limit of 5", async () => {
    await createStaffAccount("kv-only", "kv-only-password", "staff");
    const bare = { ...env, LOGIN_ADDRESS_LIMITER: undefined, LOGIN_USERNAME_LIMITER: undefined };
    const db = createDb(env.DB);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => authenticate(bare, db, "kv-only", `guess-${i}`, "10.80.0.1")));
    const checked = results.filter((r) => !r.ok && r.reason === "invalid").length;
    console.info(`[access] KV counter alone: ${checked} of 20 parallel guesses reached the password check (limit 5)`);
    expect(checked).toBeGreaterThan(5);
  });
});
