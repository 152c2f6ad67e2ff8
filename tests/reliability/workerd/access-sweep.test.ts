// Access sweep: every route the app registers (createApp().routes), called without
// credentials, with a wrong bearer token, and, for session writes, with a staff session
// but no CSRF token: all refused, except the public ones (/healthz, the login form).
// The webhook delivery is refused too without its secret. Then every GET route is read
// with valid credentials (as an operator and as staff) and every answer, page and log
// line of the file is searched for the secrets in play.
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { apiJson } from "../../helpers/api";
import { FakeTelegram } from "../../helpers/fake-telegram";
import { createStaffAccount, login, type Session } from "../../integration/dashboard-login";
import type { TestBot } from "../../integration/webhook-support";
import { deliver, textUpdate } from "../../integration/webhook-support";
import { captureConsole, leakedSecrets, realisticBot, secretsOf } from "./support";

const STAFF_PASSWORD = "reliability-staff-password-4711";
const PUBLIC = new Set(["GET /healthz", "GET /login"]);

const fake = new FakeTelegram();
const out = captureConsole();
const answers: string[] = [];
let bot: TestBot;
let session: Session;
let ids: Record<string, string>;

interface Route {
  method: string;
  path: string;
}

const routes: Route[] = [
  ...new Map(
    createApp()
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
  ).values(),
];

/** Fills path params with plausible values (ids of real rows where there are some). */
function fill(path: string): string {
  return path
    .replace(/:action\{[^}]*\}/, "set")
    .replace(/:([a-z_]+)(\{[^}]*\})?/g, (_, name: string) => ids[name] ?? "1")
    .replace(/\*/g, "x");
}

async function call(r: Route, headers: Record<string, string>, body?: { text: string; type: string }) {
  const h: Record<string, string> = { ...headers };
  if (body) h["content-type"] = body.type;
  const res = await exports.default.fetch(
    new Request(`https://platform.test${fill(r.path)}`, { method: r.method, headers: h, body: body?.text, redirect: "manual" }),
  );
  const text = await res.text();
  answers.push(text, res.headers.get("location") ?? "");
  return { status: res.status, location: res.headers.get("location") ?? "", text };
}

const JSON_BODY = { text: JSON.stringify({ name: "x", text: "x", chat_id: 1, token: "1:x", kind: "broadcast" }), type: "application/json" };
const FORM_BODY = { text: "name=x&text=x&chat_id=1", type: "application/x-www-form-urlencoded" };
const bodyFor = (r: Route) => (r.method === "GET" ? undefined : r.path.startsWith("/api/") ? JSON_BODY : FORM_BODY);

const refusedAsGuest = (res: { status: number; location: string }) =>
  res.status === 401 || res.status === 403 || ([302, 303].includes(res.status) && res.location.startsWith("/login"));

beforeAll(async () => {
  fake.listen();
  bot = await realisticBot(fake, 7400000001, "sweep_bot");
  await createStaffAccount("sweeper", STAFF_PASSWORD, "admin");
  session = await login("sweeper", STAFF_PASSWORD);
  // Something in every listing, so pages and answers have rows to show.
  expect((await deliver(bot.id, bot.secret, textUpdate("/start", { userId: 74_000_001 }))).status).toBe(200);
  const task = await apiJson<{ id: number }>("/api/tasks", { body: { bot_id: bot.id, kind: "stats", interval_seconds: 3600 } });
  ids = { id: String(bot.id), bot_id: String(bot.id), chat_id: "74000001", task_id: String(task.body?.id ?? 1) };
});
afterAll(() => {
  out.restore();
  fake.close();
});

describe(`access sweep over ${routes.length} routes`, () => {
  it("finds the routes of every surface", () => {
    expect(routes.length).toBeGreaterThan(50);
    for (const p of ["/api/bots", "/telegram/webhook/:bot_id", "/studio/social/telegram-stats", "/admin/bots"]) {
      expect(routes.some((r) => r.path === p)).toBe(true);
    }
  });

  it("refuses every route without credentials (JSON and HTML clients alike)", async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
      for (const accept of ["application/json", "text/html"]) {
        const res = await call(r, { accept }, bodyFor(r));
        if (!refusedAsGuest(res)) wrong.push(`${r.method} ${r.path} (${accept}) -> ${res.status} ${res.location}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("refuses every route with a wrong bearer token", async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (PUBLIC.has(key) || key === "POST /login") continue;
      const res = await call(r, { authorization: "Bearer wrong-token-0123456789", accept: "application/json" }, bodyFor(r));
      if (res.status !== 401 && res.status !== 403) wrong.push(`${key} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("refuses the webhook delivery without its secret or with another bot's", async () => {
    const update = textUpdate("/start", { userId: 74_000_002 });
    expect((await deliver(bot.id, null, update)).status).toBe(401);
    expect((await deliver(bot.id, "x".repeat(32), update)).status).toBe(401);
    expect((await deliver(bot.id, `Bearer ${"test-admin-token-0123456789"}`, update)).status).toBe(401);
  });

  it("refuses every session write without the CSRF token (login included)", async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      if (r.method === "GET") continue;
      const key = `${r.method} ${r.path}`;
      if (key === "POST /telegram/webhook/:bot_id") continue; // not a session route: wants its secret (above)
      for (const body of [FORM_BODY, JSON_BODY]) {
        const res = await call(r, { cookie: session.cookie, accept: "text/html" }, body);
        if (res.status !== 403) wrong.push(`${key} (${body.type}) -> ${res.status} ${res.location}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("shows no secret in any page, API answer or log line", async () => {
    // Every GET route read with valid credentials, as an operator and as staff.
    for (const r of routes) {
      if (r.method !== "GET") continue;
      await call(r, { authorization: "Bearer test-admin-token-0123456789", accept: "application/json" });
      await call(r, { cookie: session.cookie, accept: "text/html" });
    }
    const ok = answers.filter((a) => a.length > 0).length;
    expect(ok).toBeGreaterThan(routes.length);
    expect(leakedSecrets([...answers, ...out.lines], secretsOf([bot], { STAFF_PASSWORD }))).toEqual([]);
  });
});
