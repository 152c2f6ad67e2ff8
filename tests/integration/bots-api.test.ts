import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";

const fake = new FakeTelegram();
const alpha = fake.addBot(7001, "alpha_bot");
const beta = fake.addBot(7002, "beta_bot");

beforeAll(() => fake.listen());
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("bots API", () => {
  it("refuses requests without or with a wrong bearer token", async () => {
    expect((await api("/api/bots", { token: null })).status).toBe(401);
    expect((await api("/api/bots", { token: "wrong" })).status).toBe(401);
    const res = await apiJson<{ error: { code: string } }>("/api/bots", { token: "wrong", body: { name: "x", token: alpha.token } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
    expect(fake.calls).toHaveLength(0);
  });

  it("creates a bot from getMe, answers 201 without the token, stores only ciphertext", async () => {
    const res = await apiJson<Record<string, unknown>>("/api/bots", { body: { name: "Alpha", token: alpha.token } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Alpha", username: "alpha_bot", tg_id: 7001, is_active: true });
    expect(typeof res.body.id).toBe("number");
    expect(JSON.stringify(res.body)).not.toContain(alpha.token);
    expect(JSON.stringify(res.body)).not.toContain("AAE");
    expect(fake.callsOf("getMe")).toHaveLength(1);

    const row = await env.DB.prepare("SELECT * FROM bots WHERE id = ?").bind(res.body.id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain(alpha.token);
    expect(String(row?.token_ciphertext)).toMatch(/^v1:/);

    const list = await apiJson<{ results: { name: string }[] }>("/api/bots");
    expect(list.body.results.map((b) => b.name)).toContain("Alpha");
    expect(JSON.stringify(list.body)).not.toContain(alpha.token);
  });

  it("answers 409 for a duplicate name or token", async () => {
    const dupName = await apiJson<{ error: { code: string; message: string } }>("/api/bots", {
      body: { name: "Alpha", token: beta.token },
    });
    expect(dupName.status).toBe(409);
    expect(dupName.body.error.message).toMatch(/Alpha/);
    const dupToken = await apiJson("/api/bots", { body: { name: "Alpha again", token: alpha.token } });
    expect(dupToken.status).toBe(409);
  });

  it("answers 400 with a reason for bad bodies and for a token Telegram rejects", async () => {
    const cases: unknown[] = [
      {},
      { name: "", token: beta.token },
      { name: "x", token: "nope" },
      { name: 5, token: beta.token },
      [],
      "null",
    ];
    for (const body of cases) {
      const res = await apiJson<{ error: { code: string; message: string } }>("/api/bots", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(/Invalid body/);
    }
    const notJson = await apiJson<{ error: { code: string } }>("/api/bots", {
      body: "{oops",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    const wrongType = await api("/api/bots", { body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(wrongType.status).toBe(415);

    const unknownToken = `999999:AAE${"q".repeat(32)}`;
    const rejected = await apiJson<{ error: { message: string } }>("/api/bots", { body: { name: "Ghost", token: unknownToken } });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.message).toMatch(/Telegram rejected the token: Unauthorized/);
    expect(JSON.stringify(rejected.body)).not.toContain(unknownToken);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM bots WHERE name = 'Ghost'").first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("answers 502 when Telegram cannot be reached, and stores nothing", async () => {
    fake.queue("getMe", { networkError: true }, { networkError: true });
    const res = await apiJson<{ error: { code: string } }>("/api/bots", { body: { name: "Beta", token: beta.token } });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("UPSTREAM_UNAVAILABLE");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM bots WHERE name = 'Beta'").first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("reads, patches and deletes a bot; 404 for unknown ids", async () => {
    const created = await apiJson<{ id: number }>("/api/bots", { body: { name: "Beta", token: beta.token } });
    const id = created.body.id;
    expect((await apiJson(`/api/bots/${id}`)).body).toMatchObject({ id, name: "Beta" });

    const patched = await apiJson(`/api/bots/${id}`, {
      method: "PATCH",
      body: { welcome_text: "Hello!", is_active: false, ai_providers: ["gemini", "openai"] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ welcome_text: "Hello!", is_active: false, ai_providers: ["gemini", "openai"] });
    expect((await apiJson(`/api/bots/${id}`, { method: "PATCH", body: { ai_providers: ["x"] } })).status).toBe(400);
    expect((await apiJson(`/api/bots/${id}`, { method: "PATCH", body: {} })).status).toBe(400);
    expect((await apiJson(`/api/bots/${id}`, { method: "PATCH", body: { name: "Alpha" } })).status).toBe(409);

    for (const bad of ["999999", "abc", "-1", "0"]) {
      expect((await api(`/api/bots/${bad}`)).status, bad).toBe(404);
      expect((await api(`/api/bots/${bad}`, { method: "PATCH", body: { name: "z" } })).status, bad).toBe(404);
      expect((await api(`/api/bots/${bad}`, { method: "DELETE" })).status, bad).toBe(404);
    }

    const del = await apiJson(`/api/bots/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await api(`/api/bots/${id}`)).status).toBe(404);
  });
});

describe("migrations", () => {
  it("created every table of the schema in the test database", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
    const names = results.map((r) => r.name);
    for (const t of ["bots", "chats", "tg_users", "messages", "bot_commands", "sessions", "background_tasks", "processed_updates"]) {
      expect(names).toContain(t);
    }
  });
});
