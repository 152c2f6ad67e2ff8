// Issue 13's incident, against `wrangler dev`: an admin creates a plain staff account; that
// person logs in through /login like anyone would, takes the CSRF token from the page's meta
// tag, and tries to manage bots, webhooks and staff. Each call must be refused with 403 and
// leave the bot exactly as it was (row, webhook at the fake Bot API, staff list).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { freePort, startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const tgBot = SEEDED_BOTS[0]!;
let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let botId: number;

const bearer = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` };

async function asAdmin(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(worker.url + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...bearer, ...(init.body !== undefined && { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Logs in through the form as a browser does; answers the session cookie and the page's CSRF token. */
async function login(username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${worker.url}/login`);
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const jar = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${worker.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ username, password, _csrf: loginCsrf }).toString(),
  });
  expect(res.status, "login").toBe(303);
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const home = await fetch(`${worker.url}/`, { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await home.text())?.[1] ?? "";
  expect(csrf.length).toBeGreaterThan(10);
  return { cookie, csrf };
}

beforeAll(async () => {
  fake = await startFakeTelegram({ retryDelayMs: 100, maxRetryDelayMs: 500 });
  const port = await freePort();
  worker = await startWorker({ port, vars: { TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } });
  const created = await asAdmin("/api/bots", { body: { name: "roles-demo", token: tgBot.token } });
  expect(created.status).toBe(201);
  botId = Number(created.body.id);
  expect((await asAdmin(`/telegram/webhook/${botId}/set/`, { body: {} })).status).toBe(200);
  const staff = await asAdmin("/api/staff", { body: { username: "plain_staff", password: "plain-staff-password-1", role: "staff" } });
  expect(staff.status).toBe(201);
});
afterAll(async () => {
  await worker?.stop();
  await fake?.close();
});

describe("a plain staff member, logged in, against wrangler dev", () => {
  it("is refused with 403 on every bot, webhook and staff change, and the bot is unchanged", async () => {
    const s = await login("plain_staff", "plain-staff-password-1");
    const before = {
      bot: (await asAdmin(`/api/bots/${botId}`)).body,
      webhook: (await asAdmin(`/telegram/webhook/${botId}/info/`)).body,
      staff: (await asAdmin("/api/staff")).body,
    };
    const attempts: [string, string, unknown][] = [
      ["PATCH", `/api/bots/${botId}`, { name: "taken over", is_active: false }],
      ["POST", `/telegram/webhook/${botId}/set/`, { url: "https://attacker.example/hook" }],
      ["POST", `/telegram/webhook/${botId}/delete/`, {}],
      ["POST", "/api/bots", { name: "another", token: tgBot.token }],
      ["POST", "/api/staff", { username: "second_admin", password: "second-admin-password", role: "admin" }],
      ["DELETE", `/api/bots/${botId}`, undefined],
    ];
    const seen: string[] = [];
    for (const [method, path, body] of attempts) {
      const res = await fetch(worker.url + path, {
        method,
        headers: { cookie: s.cookie, "x-csrf-token": s.csrf, ...(body !== undefined && { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await res.json()) as { error?: { code?: string; message?: string } };
      seen.push(`${method} ${path} -> ${res.status} ${answer.error?.code}`);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(answer.error?.code).toBe("FORBIDDEN");
      expect(answer.error?.message?.length ?? 0).toBeGreaterThan(10);
    }
    console.log(`[roles] as staff: ${seen.join("; ")}`);
    const after = {
      bot: (await asAdmin(`/api/bots/${botId}`)).body,
      webhook: (await asAdmin(`/telegram/webhook/${botId}/info/`)).body,
      staff: (await asAdmin("/api/staff")).body,
    };
    expect(after).toEqual(before);
    expect(String((after.webhook as { url?: string }).url ?? JSON.stringify(after.webhook))).not.toContain("attacker.example");
    // The same person may still do the daily work: read, and send as the bot.
    const read = await fetch(`${worker.url}/api/bots`, { headers: { cookie: s.cookie } });
    expect(read.status).toBe(200);
  });
});
