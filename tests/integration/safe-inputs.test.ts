// Inputs that cannot be turned against the platform, through the real routes: http(s)-only
// links on every surface that stores or sends one, search terms D1 can run, CSV cells that
// cannot start a formula, a login `next` that stays on site, and the pages' security headers.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { createStaffAccount, form, login, page, postLogin, type Session } from "./dashboard-login";

const fake = new FakeTelegram();
const tg = fake.addBot(7301, "safe_bot");
let botId = 0;
let s: Session;
const BEARER = { authorization: "Bearer test-admin-token-0123456789" };
const BAD_LINKS = [
  "javascript:alert(document.cookie)",
  "JAVASCRIPT:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "file:///etc/passwd",
];

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Safe bot", tg.token)).id;
  await createStaffAccount("safe-admin", "safe-admin-password", "admin");
  s = await login("safe-admin", "safe-admin-password");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("links are http(s) only", () => {
  it("POST/PATCH /api/content refuse javascript:, data:, vbscript: and file: links with the reason", async () => {
    for (const url of BAD_LINKS) {
      const res = await apiJson<{ error: { message: string } }>("/api/content", { body: { kind: "news", title: "x", url } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.message).toMatch(/url: .*(links are not allowed|http\(s\))/);
    }
    const ok = await apiJson<{ id: number }>("/api/content", { body: { kind: "news", title: "ok", url: "https://example.com/a" } });
    expect(ok.status).toBe(201);
    const patch = await apiJson(`/api/content/${ok.body.id}`, { method: "PATCH", body: { url: "javascript:alert(1)" } });
    expect(patch.status).toBe(400);
    const row = await env.DB.prepare("SELECT url FROM content_items WHERE id = ?").bind(ok.body.id).first<{ url: string }>();
    expect(row?.url).toBe("https://example.com/a");
  });

  it("the dashboard's content form refuses them too, and a stored one is never a live link", async () => {
    const f = form({ _csrf: s.csrf, kind: "news", title: "evil", url: "javascript:alert(document.cookie)" });
    const res = await page("/admin/content/new", { method: "POST", cookie: s.cookie, ...f });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("javascript: links are not allowed");
    // A row stored before the rule (or written behind the API's back) renders as text.
    await env.DB.prepare("INSERT INTO content_items (kind, title, url) VALUES ('news', 'Legacy item', 'javascript:alert(1)')").run();
    const list = await (await page("/admin/content/", { cookie: s.cookie })).text();
    expect(list).toContain("Legacy item");
    expect(list).not.toMatch(/href="javascript:/i);
    expect(list).toMatch(/<a href="https:\/\/example.com\/a"/);
  });

  it("/news does not send a stored non-http link", async () => {
    const { replyWithContent } = await import("../../src/telegram/commands/content-list");
    const { createDb } = await import("../../src/db/client");
    const sent: string[] = [];
    const ctx = { db: createDb(env.DB), bot: { id: botId }, t: (k: string) => k, reply: async (text: string) => void sent.push(text) };
    await replyWithContent(ctx as never, "news", "news.header" as never, "news.empty" as never);
    expect(sent[0]).toContain("Legacy item");
    expect(sent[0]).toContain("https://example.com/a");
    expect(sent[0]).not.toContain("javascript:");
  });

  it("the webhook URL is https, except loopback hosts and the PUBLIC_BASE_URL origin", async () => {
    const set = (url: string) => apiJson<{ error?: { message: string } }>(`/telegram/webhook/${botId}/set/`, { body: { url } });
    for (const url of [...BAD_LINKS, "http://hooks.example.com/x/", "http://localhost.evil.example/x", "ftp://example.com/x"]) {
      const res = await set(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error?.message).toMatch(/url: /);
    }
    expect(fake.callsOf("setWebhook")).toHaveLength(0);
    expect((await set("https://hooks.example.com/x/")).status).toBe(200);
    expect((await set("http://127.0.0.1:8787/telegram/webhook/1/")).status).toBe(200);
    expect((await set("http://localhost:8787/telegram/webhook/1/")).status).toBe(200);
    // PUBLIC_BASE_URL is https://platform.test in the tests: its origin (https) passes as well.
    expect((await set(`https://platform.test/telegram/webhook/${botId}/`)).status).toBe(200);
    expect(fake.callsOf("setWebhook")).toHaveLength(4);
  });

  it("photo and document URLs on POST /telegram/bot/{id}/send/ are http(s) or a file_id", async () => {
    for (const url of BAD_LINKS) {
      for (const field of ["photo", "document"]) {
        const res = await apiJson<{ error: { message: string } }>(`/telegram/bot/${botId}/send/`, { body: { chat_id: 42, [field]: url } });
        expect(res.status, `${field} ${url}`).toBe(400);
        expect(res.body.error.message).toMatch(new RegExp(`${field}: a Telegram file_id or an http\\(s\\) URL`));
      }
    }
    expect(fake.calls).toHaveLength(0);
    const ok = await apiJson(`/telegram/bot/${botId}/send/`, { body: { chat_id: 42, photo: "https://example.com/cat.jpg" } });
    expect(ok.status).toBe(200);
    const byId = await apiJson(`/telegram/bot/${botId}/send/`, { body: { chat_id: 42, document: "BQACAgIAAxkBAAIC_file-id" } });
    expect(byId.status).toBe(200);
  });

  it("POST /telegram/send-message/ refuses them as JSON and as a form", async () => {
    for (const url of BAD_LINKS) {
      const json = await page("/telegram/send-message/", {
        method: "POST",
        body: JSON.stringify({ bot_id: botId, chat_id: 42, photo: url }),
        headers: { "content-type": "application/json", accept: "application/json", ...BEARER },
      });
      expect(json.status, url).toBe(400);
      expect(((await json.json()) as { error: { message: string } }).error.message).toMatch(
        /photo: a Telegram file_id or an http\(s\) URL/,
      );
      const f = form({ _csrf: s.csrf, bot_id: String(botId), chat_id: "42", document: url, text: "" });
      const res = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, ...f });
      expect(res.status, url).toBe(400);
      expect(await res.text()).toContain("document: a Telegram file_id or an http(s) URL");
    }
    expect(fake.calls).toHaveLength(0);
  });
});

describe("inline links in texts", () => {
  const evil = "Click [here](javascript:alert(document.cookie))";
  it("are http(s) or tg: in command replies, broadcasts, sends and bot texts", async () => {
    const cmd = await apiJson<{ error: { message: string } }>("/api/commands", {
      body: { bot_id: botId, command: "evil", reply_text: evil },
    });
    expect(cmd.status).toBe(400);
    expect(cmd.body.error.message).toMatch(/reply_text: javascript: links are not allowed/);
    const cast = await apiJson<{ error: { message: string } }>("/api/broadcasts", { body: { bot_id: botId, text: evil, chat_ids: [42] } });
    expect(cast.status).toBe(400);
    expect(cast.body.error.message).toMatch(/text: javascript: links are not allowed/);
    const send = await apiJson(`/telegram/bot/${botId}/send/`, { body: { chat_id: 42, text: evil } });
    expect(send.status).toBe(400);
    const caption = await apiJson(`/telegram/bot/${botId}/send/`, {
      body: { chat_id: 42, photo: "https://example.com/a.jpg", caption: '<a href="data:text/html,x">x</a>', parse_mode: "HTML" },
    });
    expect(caption.status).toBe(400);
    const f = form({ _csrf: s.csrf, bot_id: String(botId), chat_id: "42", text: evil, parse_mode: "Markdown" });
    const page400 = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, ...f });
    expect(page400.status).toBe(400);
    expect(await page400.text()).toContain("javascript: links are not allowed");
    const welcome = await apiJson(`/api/bots/${botId}`, { method: "PATCH", body: { welcome_text: evil } });
    expect(welcome.status).toBe(400);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect(fake.callsOf("sendPhoto")).toHaveLength(0);
    // http(s) and tg: links pass.
    const ok = await apiJson("/api/commands", {
      body: { bot_id: botId, command: "links", reply_text: "[site](https://example.com) [me](tg://user?id=1)" },
    });
    expect(ok.status).toBe(201);
  });
});

describe("text search fits D1's LIKE limit", () => {
  const long = "a".repeat(60);

  it("D1 itself refuses a LIKE pattern over 50 bytes (why the limit exists)", async () => {
    await expect(env.DB.prepare("SELECT 1 FROM messages WHERE text LIKE ?").bind(`%${long}%`).all()).rejects.toThrow(
      /LIKE or GLOB pattern too complex/,
    );
  });

  it("the JSON API answers 400 with the reason, and searches up to the limit", async () => {
    for (const path of ["/api/messages", "/api/chats", "/api/users"]) {
      const res = await apiJson<{ error: { message: string } }>(`${path}?q=${long}`);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message).toMatch(/q: search text is too long/);
      expect((await apiJson(`${path}?q=${"a".repeat(48)}`)).status, path).toBe(200);
      expect((await apiJson(`${path}?q=${encodeURIComponent("%".repeat(30))}`)).status, path).toBe(400);
    }
  });

  it("dashboard searches show a visible error instead of a 500", async () => {
    for (const path of [
      "/admin/messages/",
      "/admin/chats/",
      "/admin/users/",
      "/admin/feedback/",
      `/studio/social/telegram-stats/?bot_id=${botId}&`,
      `/studio/social/telegram-stats/export.csv?bot_id=${botId}&`,
    ]) {
      const sep = path.includes("?") ? "" : "?";
      const res = await page(`${path}${sep}q=${long}`, { cookie: s.cookie });
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toContain("The search text is not usable: search text is too long");
      expect((await page(`${path}${sep}q=${"a".repeat(48)}`, { cookie: s.cookie })).status, path).toBe(200);
    }
  });
});

describe("CSV export", () => {
  it("neutralises cells that would start a formula, keeps negative chat ids as numbers", async () => {
    await env.DB.prepare(
      "INSERT INTO chats (bot_id, chat_id, type, title, username) VALUES (?1, -100777, 'supergroup', '=HYPERLINK(\"http://evil\")', NULL), (?1, -100778, 'supergroup', '-2+3', '@x'), (?1, -100779, 'group', '+1', NULL)",
    )
      .bind(botId)
      .run();
    const res = await page(`/studio/social/telegram-stats/export.csv?bot_id=${botId}`, { cookie: s.cookie });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, "");
    const lines = text.trimEnd().split("\r\n").slice(1);
    expect(lines).toContain(`-100777,"'=HYPERLINK(""http://evil"")",,supergroup,,,,,`);
    expect(lines).toContain("-100778,'-2+3,'@x,supergroup,,,,,");
    expect(lines).toContain("-100779,'+1,,group,,,,,");
    for (const line of lines) for (const cell of line.split(",")) expect(cell).not.toMatch(/^"?[=+@\t\r]/);
  });
});

describe("the login next", () => {
  it.each(["//evil.example", "/%09/evil.example", "/\\evil.example", "/%2F%2Fevil.example", "https://evil.example", "/a/..//evil.example"])(
    "%s redirects home after login",
    async (next) => {
      await createStaffAccount(`n${Math.random().toString(36).slice(2, 8)}`, "next-password-123", "staff").then(async (acct) => {
        const res = await postLogin(String((acct as { username: string }).username), "next-password-123", { next, ip: "10.9.9.9" });
        expect(res.status).toBe(303);
        expect(res.headers.get("location")).toBe("/");
      });
    },
  );

  it("a same-site path is kept, and the login form never echoes an unsafe one", async () => {
    const res = await postLogin("safe-admin", "safe-admin-password", { next: "/admin/bots/?page=2", ip: "10.9.9.8" });
    expect(res.headers.get("location")).toBe("/admin/bots/?page=2");
    const formPage = await (await page("/login?next=%2F%2Fevil.example")).text();
    expect(formPage).not.toContain("evil.example");
  });
});

describe("security headers", () => {
  it("pages send a CSP without inline script, frame-ancestors 'none', a strict referrer policy and nosniff", async () => {
    for (const path of ["/login", "/", `/studio/social/telegram-stats/?bot_id=${botId}`, "/telegram/send-message/", "/admin/content/"]) {
      const res = await page(path, path === "/login" ? {} : { cookie: s.cookie });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      // No inline script the CSP would block: every <script> has a src (or is a JSON data block), no on*= handlers.
      const html = await res.text();
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, path).toMatch(/\bsrc="\/|type="application\/json"/);
      expect(html, path).not.toMatch(/\son[a-z]+=/i);
      expect(html, path).not.toMatch(/href="javascript:/i);
    }
  });

  it("JSON answers and errors carry them too", async () => {
    const res = await apiJson("/api/does-not-exist");
    expect(res.status).toBe(404);
    const raw = await page("/api/bots", { headers: BEARER });
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
