// Access sweep: every route the app registers (createApp().routes), called without
// credentials, with a wrong bearer token, and, for session writes, with a staff session
// but no CSRF token: all refused, except the public ones (/healthz, the login form).
// The webhook delivery is refused too without its secret. Then every GET route is read
// with valid credentials (as an operator and as staff) and every answer, page and log
// line of the file is searched for the secrets in play.
//
// The role matrix: every route has a rule in src/middleware/access.ts (a route without one
// fails here), and every route is called as each of anonymous, a wrong token, a viewer,
// staff and admin session, and a viewer, staff and admin API token: what the matrix
// allows is not refused (not 401/403); what it refuses is a 403 FORBIDDEN (401 without a
// valid credential) and leaves the database and Telegram untouched.
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { allows, PERMISSIONS, type Permission, type Role } from "../../../src/lib/roles";
import { RULES, ruleFor } from "../../../src/middleware/access";
import { apiJson } from "../../helpers/api";
import { FakeTelegram } from "../../helpers/fake-telegram";
import { createStaffAccount, login, type Session } from "../../integration/dashboard-login";
import type { TestBot } from "../../integration/webhook-support";
import { deliver, textUpdate } from "../../integration/webhook-support";
import { captureConsole, leakedSecrets, print, realisticBot, secretsOf } from "./support";

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

// ---- The role matrix ----

/** The matrix as README.md's "Access by role" writes it, independently of src/lib/roles.ts. */
const MATRIX: Record<Permission, Role[]> = {
  session: ["viewer", "staff", "admin"],
  read: ["viewer", "staff", "admin"],
  send: ["staff", "admin"],
  broadcast: ["staff", "admin"],
  tasks: ["staff", "admin"],
  content: ["staff", "admin"],
  "tasks-manage": ["admin"],
  bots: ["admin"],
  webhooks: ["admin"],
  commands: ["admin"],
  ai: ["admin"],
  "ai-modes": ["staff", "admin"],
  staff: ["admin"],
  tokens: ["admin"],
};

/** Routes that must stay admin-only whatever the table says (the incident of issue 13). */
const ADMIN_ONLY = [
  "POST /api/bots",
  "PATCH /api/bots/:id",
  "DELETE /api/bots/:id",
  "POST /telegram/webhook/:bot_id/set",
  "POST /telegram/webhook/:bot_id/delete",
  "POST /api/bots/:id/commands/sync",
  "POST /admin/commands/sync/:bot_id{[0-9]+}",
  "POST /api/staff",
  "PATCH /api/staff/:id",
  "DELETE /api/staff/:id",
  "GET /api/tokens",
  "POST /api/tokens",
  "DELETE /api/tokens/:id",
  "POST /admin/bots/new",
  "POST /admin/bots/:id",
  "POST /admin/bots/:id/activate",
  "POST /admin/bots/:id/webhook/:action{set|delete}",
  "POST /admin/ai/:id{[0-9]+}",
  "POST /admin/staff/new",
  "POST /admin/tokens/new",
  "POST /telegram/bot/:bot_id/dead-letters/:update_id/replay",
  "POST /telegram/bot/:bot_id/dead-letters/:update_id/discard",
  // The webhook health console and the task form (issue 16)
  ...["apply", "rotate", "drop-pending", "remove"].map((a) => `POST /admin/bots/:id{[0-9]+}/webhook/${a}`),
  "POST /admin/bots/:id{[0-9]+}/webhook/dead-letters/:update_id{[0-9]+}/replay",
  "POST /admin/bots/:id{[0-9]+}/webhook/dead-letters/:update_id{[0-9]+}/discard",
  "POST /telegram/background-tasks/new",
  "POST /telegram/background-tasks/:task_id{[0-9]+}/delete",
];

interface Caller {
  name: string;
  role: Role | null; // null: no valid credential
  headers: Record<string, string>;
}

const callers: Caller[] = [];
const extraSecrets: Record<string, string> = {};
const PASSWORDS = { viewer: "matrix-viewer-password-1", staff: "matrix-staff-password-1", admin: "matrix-admin-password-1" };

/** Everything a refused call could change: the rows of every table an API writes (last-use times aside). */
async function snapshot(): Promise<string> {
  const tables = [
    "bots",
    "staff_users",
    "background_tasks",
    "bot_commands",
    "content_items",
    "broadcasts",
    "broadcast_deliveries",
    "chats",
    "messages",
    "sessions",
    "feedback",
  ];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = (await env.DB.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()).results;
  out.api_tokens = (await env.DB.prepare("SELECT id, name, role, token_hash, revoked_at FROM api_tokens ORDER BY id").all()).results;
  out.telegram_writes = fake.calls.filter((c) => !c.method.startsWith("get")).length;
  out.webhooks = [...fake.webhooks.entries()];
  return JSON.stringify(out);
}

const key = (r: Route) => `${r.method} ${r.path}`;
/** Not in the matrix sweep: public, Telegram's delivery (its own test above) and logout (its own test below). */
const SWEPT = () =>
  routes.filter((r) => !["public", "webhook"].includes(ruleFor(r.method, r.path)?.access ?? "") && key(r) !== "POST /logout");

function allowed(r: Route, role: Role | null): boolean {
  const rule = ruleFor(r.method, r.path);
  if (!rule || role === null || rule.access === "public" || rule.access === "webhook") return false;
  return MATRIX[rule.access].includes(role);
}

/** A refused call uses the ids of real rows (to show nothing changes); an allowed write, ids that do not exist. */
function callAs(r: Route, who: Caller, realIds: boolean) {
  const saved = ids;
  if (!realIds && r.method !== "GET") ids = { id: "999999", bot_id: "999999", chat_id: "999999", task_id: "999999" };
  try {
    return call(r, { accept: "application/json", ...who.headers }, bodyFor(r));
  } finally {
    ids = saved;
  }
}

describe("the role matrix", () => {
  beforeAll(async () => {
    callers.push({ name: "anonymous", role: null, headers: {} });
    callers.push({ name: "wrong token", role: null, headers: { authorization: "Bearer tgp_wrong-token-0123456789abcdef" } });
    for (const role of ["viewer", "staff", "admin"] as const) {
      await createStaffAccount(`matrix-${role}`, PASSWORDS[role], role);
      const s = await login(`matrix-${role}`, PASSWORDS[role]);
      callers.push({ name: `${role} session`, role, headers: { cookie: s.cookie, "x-csrf-token": s.csrf } });
      const t = await apiJson<{ token: string }>("/api/tokens", { body: { name: `matrix ${role}`, role } });
      expect(t.status).toBe(201);
      extraSecrets[`${role} API token`] = t.body.token;
      extraSecrets[`${role} password`] = PASSWORDS[role];
      callers.push({ name: `${role} token`, role, headers: { authorization: `Bearer ${t.body.token}` } });
    }
    callers.push({ name: "ADMIN_API_TOKEN", role: "admin", headers: { authorization: "Bearer test-admin-token-0123456789" } });
  });

  it("has a rule for every route the app registers, and no rule for a route that does not exist", () => {
    const missing = routes.filter((r) => !ruleFor(r.method, r.path)).map(key);
    expect(missing).toEqual([]);
    const registered = new Set(routes.map(key));
    expect(RULES.map((x) => `${x.method} ${x.path}`).filter((k) => !registered.has(k))).toEqual([]);
  });

  it("gives each permission to the roles README.md's matrix names", () => {
    for (const [permission, min] of Object.entries(PERMISSIONS) as [Permission, Role][]) {
      const roles = (["viewer", "staff", "admin"] as const).filter((r) => allows(r, permission));
      expect({ permission, roles }).toEqual({ permission, roles: MATRIX[permission] });
      expect(MATRIX[permission][0]).toBe(min);
    }
    for (const k of ADMIN_ONLY) {
      const [method = "", path = ""] = k.split(" ");
      const rule = ruleFor(method, path);
      expect({ k, roles: rule && rule.access !== "public" && rule.access !== "webhook" ? MATRIX[rule.access] : [] }).toEqual({
        k,
        roles: ["admin"],
      });
    }
  });

  it("refuses every call the matrix refuses with 401/403, and nothing changes", async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    let refused = 0;
    for (const r of SWEPT()) {
      for (const who of callers) {
        if (allowed(r, who.role)) continue;
        refused++;
        const res = await callAs(r, who, true);
        const want = who.role === null ? 401 : 403;
        // A form post is answered as a page (a browser sent it), a JSON call as JSON.
        const code =
          res.status !== 403
            ? "FORBIDDEN"
            : res.text.startsWith("<")
              ? res.text.includes("Not allowed")
                ? "FORBIDDEN"
                : "a page without the refusal"
              : (JSON.parse(res.text) as { error?: { code?: string } }).error?.code;
        if (res.status !== want || code !== "FORBIDDEN") wrong.push(`${key(r)} as ${who.name} -> ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    print(`[access-sweep] ${SWEPT().length} routes x ${callers.length} callers: ${refused} refused calls, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(SWEPT().length * 2);
    expect(await snapshot()).toBe(before);
  });

  it("lets every call the matrix allows through (not 401, not 403)", async () => {
    const wrong: string[] = [];
    let allowedCalls = 0;
    for (const r of SWEPT()) {
      for (const who of callers) {
        if (!allowed(r, who.role)) continue;
        allowedCalls++;
        const res = await callAs(r, who, false);
        if (res.status === 401 || res.status === 403 || res.status >= 500)
          wrong.push(`${key(r)} as ${who.name} -> ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    print(`[access-sweep] ${allowedCalls} allowed calls, ${wrong.length} refused or failed`);
    expect(wrong).toEqual([]);
    expect(allowedCalls).toBeGreaterThan(SWEPT().length * 2);
  });

  it("lets every role log out", async () => {
    for (const role of ["viewer", "staff", "admin"] as const) {
      const s = await login(`matrix-${role}`, PASSWORDS[role]);
      const out = await call({ method: "POST", path: "/logout" }, { cookie: s.cookie, "x-csrf-token": s.csrf, accept: "text/html" });
      expect(out.status).toBe(303);
    }
  });
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
    expect(leakedSecrets([...answers, ...out.lines], secretsOf([bot], { STAFF_PASSWORD, ...extraSecrets }))).toEqual([]);
  });
});
