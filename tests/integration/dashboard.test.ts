// The dashboard pages as a signed-in staff member sees them: statistics (cards, rows,
// search, CSV), the plain channel page, sending, tasks, and the admin pages.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { createStaffAccount, form, login, page, type Session } from "./dashboard-login";

const fake = new FakeTelegram();
const tg = fake.addBot(7001, "dash_bot");
let botId = 0;
let s: Session;

const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Dash bot", tg.token)).id;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO chats (bot_id, chat_id, type, title, username) VALUES (?1, -1001, 'channel', 'News, \"Daily\"', 'newsdaily'), (?1, -1002, 'supergroup', 'Cats club', 'cats'), (?1, 42, 'private', NULL, NULL)",
    ).bind(botId),
    env.DB.prepare("UPDATE chats SET first_name = 'Ann' WHERE chat_id = 42"),
    env.DB.prepare(
      "INSERT INTO chat_stats (bot_id, chat_id, result, member_count, admin_count, error, collected_at) VALUES (?1, -1001, '{}', 1200, 3, NULL, ?2), (?1, -1002, '{}', 34, 2, ?3, ?2)",
    ).bind(botId, now, JSON.stringify({ kind: "bot_removed", error_code: 403, description: "Forbidden: bot was kicked" })),
    env.DB.prepare(
      "INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?1, -1001, ?2, 1100, ?2), (?1, -1001, ?3, 1200, ?3)",
    ).bind(botId, now - 86400, now - 3600),
    env.DB.prepare("INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages) VALUES (?1, -1002, 2, 14, 9)").bind(botId),
  ]);
  await createStaffAccount("dash-admin", "dash-admin-password", "admin");
  s = await login("dash-admin", "dash-admin-password");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const html = async (path: string) => {
  const res = await page(path, { cookie: s.cookie });
  return { status: res.status, text: await res.text() };
};

describe("statistics dashboard", () => {
  it("shows the summary cards, the chat rows, the error panel and the heatmap", async () => {
    const { status, text } = await html(`/studio/social/telegram-stats/?bot_id=${botId}`);
    expect(status).toBe(200);
    expect(text).toMatch(/data-testid="total-chats">3</);
    expect(text).toMatch(/data-testid="total-members">1,234</);
    expect(text).toContain("News, &quot;Daily&quot;");
    expect(text).toContain("Cats club");
    expect(text).toContain("bot_removed: Forbidden: bot was kicked");
    expect(text).toContain("Collection errors");
    expect(text).toContain('title="9 messages"');
    expect(text).toContain("/vendor/uplot/uPlot.iife.min.js");
  });

  it("scopes the charts and heatmap to one chat", async () => {
    const cats = await html(`/studio/social/telegram-stats/?bot_id=${botId}&chat_id=-1002`);
    expect(cats.text).toContain('title="9 messages"');
    expect(cats.text).toMatch(/<option value="-1002" selected="">Cats club<\/option>/);
    const news = await html(`/studio/social/telegram-stats/?bot_id=${botId}&chat_id=-1001`);
    expect(news.text).not.toContain('title="9 messages"');
  });

  it("filters rows on the server with ?q= (name, username or type)", async () => {
    const byName = await html(`/studio/social/telegram-stats/?bot_id=${botId}&q=cats`);
    expect(byName.text).toContain("Cats club");
    expect(byName.text).not.toContain('data-chat-id="-1001"');
    const byType = await html(`/studio/social/telegram-stats/?bot_id=${botId}&q=channel`);
    expect(byType.text).toContain("News, &quot;Daily&quot;");
    expect(byType.text).not.toContain('data-chat-id="-1002"');
    const none = await html(`/studio/social/telegram-stats/?bot_id=${botId}&q=zzz`);
    expect(none.text).toContain("No chat matches this search");
  });

  it("exports CSV with a BOM, a header, every chat and correct quoting", async () => {
    const res = await page(`/studio/social/telegram-stats/export.csv?bot_id=${botId}`, { cookie: s.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="telegram-stats-Dash_bot-/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder()
      .decode(bytes)
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe("chat_id,title,username,type,members,administrators,bot_role,last_error,collected_at");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^-1001,"News, ""Daily""",newsdaily,channel,1200,3,,,\d{4}-/);
    expect(lines[2]).toMatch(/^-1002,Cats club,cats,supergroup,34,2,,bot_removed: Forbidden: bot was kicked,/);
    expect(lines[3]).toBe("42,Ann,,private,,,,,");
  });

  it("refreshes through the statistics service and reports what happened", async () => {
    fake.on("getChat", (c) => ({ result: { id: Number(c.params.chat_id), type: "supergroup", title: "Cats club" } }));
    fake.on("getChatMemberCount", () => ({ result: 40 }));
    fake.on("getChatAdministrators", () => ({ result: [] }));
    fake.on("getChatMember", () => ({ result: { status: "administrator", user: { id: 7001, is_bot: true, first_name: "Bot" } } }));
    const f = form({ _csrf: s.csrf });
    const res = await page(`/studio/social/telegram-stats/refresh?bot_id=${botId}`, { method: "POST", cookie: s.cookie, ...f });
    expect(res.status).toBe(303);
    const notice = new URL(res.headers.get("location") ?? "", "https://x").searchParams.get("ok");
    expect(notice).toMatch(/^2 chat\(s\) collected now/);
  });

  it("renders the plain channel-stats page without scripts", async () => {
    const { status, text } = await html(`/telegram/channel-stats/?bot_id=${botId}`);
    expect(status).toBe(200);
    expect(text).toContain("Cats club");
    expect(text).not.toContain(">Ann<"); // private chats are not channels
  });
});

describe("send-message", () => {
  it("sends a form post through the bot and shows the result", async () => {
    const f = form({ _csrf: s.csrf, bot_id: String(botId), chat_id: "-1002", text: "Hello *cats*", parse_mode: "Markdown" });
    const res = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, ...f });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Sent to -1002: message id \d+/);
    const call = fake.callsOf("sendMessage")[0];
    expect(call?.params).toMatchObject({ chat_id: -1002, text: "Hello *cats*", parse_mode: "Markdown" });
  });

  it("shows Telegram's refusal readably", async () => {
    fake.queue("sendMessage", { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" });
    const f = form({ _csrf: s.csrf, bot_id: String(botId), chat_id: "-1002", text: "plain", parse_mode: "" });
    const res = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, ...f });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Telegram refused (403): Forbidden: bot was kicked from the supergroup chat");
  });

  it("accepts JSON with the bearer token, and a photo by URL", async () => {
    const res = await page("/telegram/send-message/", {
      method: "POST",
      body: JSON.stringify({ bot_id: botId, chat_id: 42, photo: "https://example.com/cat.jpg", caption: "A cat" }),
      headers: { "content-type": "application/json", accept: "application/json", authorization: "Bearer test-admin-token-0123456789" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; message_ids: number[] };
    expect(body.ok).toBe(true);
    expect(body.message_ids).toHaveLength(1);
    expect(fake.callsOf("sendPhoto")[0]?.params).toMatchObject({ chat_id: 42, photo: "https://example.com/cat.jpg", caption: "A cat" });
  });

  it("uploads a document from the form as multipart", async () => {
    const body = new FormData();
    body.set("_csrf", s.csrf);
    body.set("bot_id", String(botId));
    body.set("chat_id", "42");
    body.set("caption", "The report");
    body.set("document_file", new File(["a,b\n1,2\n"], "report.csv", { type: "text/csv" }));
    const res = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, body });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Sent to 42: message id \d+/);
    const call = fake.callsOf("sendDocument")[0];
    expect(call?.files?.document).toMatchObject({ filename: "report.csv", text: "a,b\n1,2\n" });
    expect(call?.params).toMatchObject({ caption: "The report" });
  });

  it("answers 400 for JSON without a text or attachment", async () => {
    const res = await page("/telegram/send-message/", {
      method: "POST",
      body: JSON.stringify({ bot_id: botId, chat_id: 42 }),
      headers: { "content-type": "application/json", accept: "application/json", authorization: "Bearer test-admin-token-0123456789" },
    });
    expect(res.status).toBe(400);
    expect(fake.calls).toHaveLength(0);
  });

  it("lists known chats to choose from", async () => {
    const { text } = await html(`/telegram/send-message/?bot_id=${botId}`);
    expect(text).toContain('<datalist id="known-chats">');
    expect(text).toContain('<option value="-1002">Cats club');
    expect(text).toContain('<option value="42">Ann · private</option>');
  });
});

describe("admin pages", () => {
  it("render with explained empty states", async () => {
    for (const [path, expected] of [
      ["/", "Dashboard"],
      ["/telegram/background-tasks/", "No background tasks yet"],
      ["/admin/bots/", "Dash bot"],
      ["/admin/chats/", "Cats club"],
      ["/admin/users/", "No users"],
      ["/admin/messages/", "Messages"],
      ["/admin/commands/", "No custom commands"],
      ["/admin/sessions/", "No dialog sessions"],
      ["/admin/content/", "No content yet"],
      ["/admin/feedback/", "The inbox is empty"],
      ["/admin/ai/", "Usage, last 7 days"],
      ["/admin/staff/", "dash-admin"],
    ] as const) {
      const { status, text } = await html(path);
      expect(status, path).toBe(200);
      expect(text, path).toContain(expected);
      expect(text, path).not.toContain(tg.token);
    }
  });

  it("lists messages newest stored first, whatever date Telegram gave them", async () => {
    const now = Math.floor(Date.now() / 1000);
    const insert = (messageId: number, date: number, text: string) =>
      env.DB.prepare(
        "INSERT INTO messages (bot_id, chat_id, message_id, date, kind, direction, text) VALUES (?, -1002, ?, ?, 'text', 'in', ?)",
      ).bind(botId, messageId, date, text);
    // The last one stored carries the oldest date (e.g. a backlog fetched late).
    await env.DB.batch([
      insert(9001, now - 60, "stored-first"),
      insert(9002, now, "stored-second"),
      insert(9003, now - 3600, "stored-third"),
    ]);
    const { status, text } = await html(`/admin/messages/?bot_id=${botId}`);
    expect(status).toBe(200);
    const at = (t: string) => text.indexOf(t);
    expect(at("stored-third")).toBeGreaterThan(-1);
    expect(at("stored-third")).toBeLessThan(at("stored-second"));
    expect(at("stored-second")).toBeLessThan(at("stored-first"));
  });

  it("adds a bot through the bots API's own rules, and shows its refusal readably", async () => {
    const other = fake.addBot(7002, "second_bot");
    const ok = await page("/admin/bots/new", {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, name: "Second", token: other.token }),
    });
    expect(ok.status).toBe(303);
    expect((await html("/admin/bots/")).text).toContain("Second");
    const dup = await page("/admin/bots/new", {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, name: "Second", token: other.token }),
    });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain("already exists");
  });

  it("activates, sets and deletes the webhook, and shows webhook info, through the bot endpoints", async () => {
    const post = (path: string) => page(path, { method: "POST", cookie: s.cookie, ...form({ _csrf: s.csrf }) });
    const notice = (res: Response) => new URL(res.headers.get("location") ?? "", "https://x").searchParams;
    const off = await post(`/admin/bots/${botId}/activate`);
    expect(notice(off).get("ok")).toBe('Bot "Dash bot" deactivated.');
    expect(await env.DB.prepare("SELECT is_active FROM bots WHERE id = ?").bind(botId).first("is_active")).toBe(0);
    await post(`/admin/bots/${botId}/activate`);
    expect(await env.DB.prepare("SELECT is_active FROM bots WHERE id = ?").bind(botId).first("is_active")).toBe(1);

    const set = await post(`/admin/bots/${botId}/webhook/set`);
    expect(notice(set).get("ok")).toBe('Webhook set for "Dash bot".');
    expect(fake.callsOf("setWebhook")[0]?.params.url).toBe(`https://platform.test/telegram/webhook/${botId}/`);
    const info = await html(`/admin/bots/${botId}/webhook`);
    expect(info.text).toContain(`https://platform.test/telegram/webhook/${botId}/`);
    expect(info.text).not.toContain(tg.token);
    const del = await post(`/admin/bots/${botId}/webhook/delete`);
    expect(notice(del).get("ok")).toBe('Webhook deleted for "Dash bot".');
    expect(fake.callsOf("deleteWebhook")).toHaveLength(1);
  });

  it("saves AI settings through the bots API and adds a content item", async () => {
    const ai = await page(`/admin/ai/${botId}`, {
      method: "POST",
      cookie: s.cookie,
      ...form({
        _csrf: s.csrf,
        ai_enabled: "1",
        ai_providers: "gemini,openai",
        openai_model: "gpt-4o-mini",
        gemini_model: "gemini-2.5-pro",
        ai_memory_messages: "10",
        ai_daily_quota: "5",
        ai_system_prompt: "Be brief.",
      }),
    });
    expect(ai.status).toBe(303);
    const row = await env.DB.prepare("SELECT ai_enabled, ai_providers, gemini_model, ai_daily_quota FROM bots WHERE id = ?")
      .bind(botId)
      .first();
    expect(row).toEqual({ ai_enabled: 1, ai_providers: '["gemini","openai"]', gemini_model: "gemini-2.5-pro", ai_daily_quota: 5 });
    const bad = await page(`/admin/ai/${botId}`, {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, openai_model: "", ai_daily_quota: "-1" }),
    });
    expect(new URL(bad.headers.get("location") ?? "", "https://x").searchParams.get("error")).toMatch(/Invalid body/);

    const item = await page("/admin/content/new", {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, kind: "news", bot_id: "", title: "Launch day", url: "https://example.com/launch", summary: "We launched" }),
    });
    expect(item.status).toBe(303);
    expect((await html("/admin/content/")).text).toContain("Launch day");
  });

  it("creates, edits and deletes a command", async () => {
    const created = await page("/admin/commands/new", {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, bot_id: String(botId), command: "/hello", description: "Greets", reply_text: "Hi there", is_active: "1" }),
    });
    expect(created.status).toBe(303);
    expect(new URL(created.headers.get("location") ?? "", "https://x").searchParams.get("ok")).toContain("Command /hello created");
    const row = await env.DB.prepare("SELECT id, reply_text FROM bot_commands WHERE command = 'hello'").first<{
      id: number;
      reply_text: string;
    }>();
    expect(row?.reply_text).toBe("Hi there");
    const edited = await page(`/admin/commands/${row?.id}`, {
      method: "POST",
      cookie: s.cookie,
      ...form({ _csrf: s.csrf, command: "hello", description: "Greets", reply_text: "Hello again", is_active: "1" }),
    });
    expect(edited.status).toBe(303);
    expect((await html("/admin/commands/")).text).toContain("Hello again");
    const deleted = await page(`/admin/commands/${row?.id}/delete`, { method: "POST", cookie: s.cookie, ...form({ _csrf: s.csrf }) });
    expect(deleted.status).toBe(303);
    expect((await html("/admin/commands/")).text).toContain("No custom commands");
  });

  it("filters messages by text and paginates", async () => {
    const stmts = Array.from({ length: 55 }, (_, i) =>
      env.DB.prepare("INSERT INTO messages (bot_id, chat_id, message_id, date, kind, text) VALUES (?, -1002, ?, ?, 'message', ?)").bind(
        botId,
        i + 1,
        now - i,
        i === 3 ? "needle in a haystack" : `message ${i}`,
      ),
    );
    await env.DB.batch(stmts);
    const first = await html(`/admin/messages/?bot_id=${botId}`);
    expect(first.text).toContain("Next →</a>");
    // Newest stored first: the first stored of these is on page 2, the last stored on page 1.
    expect(first.text).toContain("message 54");
    const second = await html(`/admin/messages/?bot_id=${botId}&page=2`);
    expect(second.text).toContain("message 0");
    expect(second.text).not.toContain("message 54");
    const found = await html(`/admin/messages/?q=needle`);
    expect(found.text).toContain("needle in a haystack");
    expect(found.text).not.toContain("message 10");
  });

  it("searches message text in the newest 10,000 matching messages and says so; a date filter reaches older ones", async () => {
    const day = Date.parse("2024-03-01T12:00:00Z") / 1000;
    await env.DB.prepare("INSERT INTO messages (bot_id, chat_id, message_id, date, kind, text) VALUES (?, -1003, 1, ?, 'message', ?)")
      .bind(botId, day, "an old lighthouse note")
      .run();
    // 10,050 newer messages without the word.
    await env.DB.prepare(
      `INSERT INTO messages (bot_id, chat_id, message_id, date, kind, text)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
       SELECT ?, -1003, 1 + i, ? + 86400 * 30 + i, 'message', 'filler ' || i FROM n`,
    )
      .bind(botId, day)
      .run();
    const recent = await html(`/admin/messages/?bot_id=${botId}&q=lighthouse`);
    expect(recent.status).toBe(200);
    expect(recent.text).toContain("No match in the newest 10,000 messages");
    expect(recent.text).toContain("To search older ones, narrow by bot, chat or dates.");
    const dated = await html(`/admin/messages/?bot_id=${botId}&q=lighthouse&from=2024-03-01&to=2024-03-01`);
    expect(dated.text).toContain("an old lighthouse note");
    expect(dated.text).not.toContain("searches the newest");
  });

  it("shows a readable page, not JSON or a stack trace, for a missing bot", async () => {
    const { status, text } = await html("/admin/bots/999999");
    expect(status).toBe(404);
    expect(text).toContain("Bot 999999 not found");
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});
