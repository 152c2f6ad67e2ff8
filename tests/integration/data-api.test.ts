// The stored-data API: chats, users, messages (filters, cursor pagination), content CRUD, feedback.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;
let other: TestBot;

type List<T> = { count: number; results: T[]; next_cursor: string | null };
type Msg = { id: number; chat_id: number; text: string | null; kind: string; direction: string; date: number };

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8401, "data_bot");
  other = await setupBot(fake, 8402, "other_data_bot");
  for (let i = 0; i < 7; i++) {
    const u = textUpdate(`note ${i}${i === 3 ? " 100%_done" : ""}`, { userId: 100 + (i % 2), lang: i % 2 ? "ru" : "en" });
    await deliver(bot.id, bot.secret, { ...u, message: { ...u.message, date: 1_700_000_000 + i * 100 } });
  }
  await deliver(bot.id, bot.secret, textUpdate("in a group", { chatId: -100123, userId: 100 }));
  await deliver(other.id, other.secret, textUpdate("other bot's message", { userId: 300 }));
  await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 100, text: "outgoing one" } });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("data API", () => {
  it("requires authentication", async () => {
    for (const path of ["/api/chats", "/api/users", "/api/messages", "/api/feedback", "/api/content", "/api/commands"]) {
      expect((await api(path, { token: null })).status, path).toBe(401);
    }
  });

  it("lists messages with filters", async () => {
    const all = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}`);
    expect(all.status).toBe(200);
    expect(all.body.results.every((m) => m.text !== "other bot's message")).toBe(true);
    const out = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&direction=out`);
    expect(out.body.results.map((m) => m.text)).toEqual(["outgoing one"]);
    const inChat = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&chat_id=-100123`);
    expect(inChat.body.results.map((m) => m.text)).toEqual(["in a group"]);
    const text = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&q=${encodeURIComponent("100%_")}`);
    expect(text.body.results.map((m) => m.text)).toEqual(["note 3 100%_done"]);
    const range = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&chat_id=100&direction=in&since=1700000100&until=1700000300`);
    expect(range.body.results.map((m) => m.text).sort()).toEqual(["note 2"]);
    const kind = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&kind=message&direction=in`);
    expect(kind.body.count).toBe(8);
    for (const bad of ["kind=nope", "direction=sideways", "since=yesterday", "cursor=abc", "limit=0", "unknown=1"]) {
      expect((await apiJson(`/api/messages?${bad}`)).status, bad).toBe(400);
    }
  });

  it("pages with next_cursor without gaps or repeats", async () => {
    const seen: number[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res: { body: List<Msg> } = await apiJson<List<Msg>>(
        `/api/messages?bot_id=${bot.id}&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...res.body.results.map((m) => m.id));
      cursor = res.body.next_cursor;
      pages++;
    }
    const all = await apiJson<List<Msg>>(`/api/messages?bot_id=${bot.id}&limit=500`);
    expect(seen).toEqual(all.body.results.map((m) => m.id));
    expect(pages).toBe(Math.ceil(all.body.count / 3));
  });

  it("lists chats and users", async () => {
    const chats = await apiJson<List<{ chat_id: number; type: string }>>(`/api/chats?bot_id=${bot.id}`);
    expect(chats.body.results.map((c) => c.chat_id).sort()).toEqual([-100123, 100, 101].sort());
    const groups = await apiJson<List<{ chat_id: number }>>(`/api/chats?bot_id=${bot.id}&type=supergroup`);
    expect(groups.body.results.map((c) => c.chat_id)).toEqual([-100123]);
    const users = await apiJson<List<{ user_id: number; language_code: string }>>(`/api/users?bot_id=${bot.id}`);
    expect(users.body.results.map((u) => [u.user_id, u.language_code]).sort()).toEqual([
      [100, "en"],
      [101, "ru"],
    ]);
    const byName = await apiJson<List<{ user_id: number }>>(`/api/users?q=user300`);
    expect(byName.body.results.map((u) => u.user_id)).toEqual([300]);
  });

  it("content CRUD", async () => {
    const created = await apiJson<{ id: number; title: string; bot_id: number | null }>("/api/content", {
      body: { kind: "news", title: "Launch", url: "https://example.com/launch", summary: "We launched" },
    });
    expect(created.status).toBe(201);
    expect(created.body.bot_id).toBeNull();
    const id = created.body.id;
    expect((await apiJson(`/api/content/${id}`)).body).toMatchObject({ title: "Launch", kind: "news" });
    expect((await apiJson(`/api/content/${id}`, { method: "PATCH", body: { title: "Launch day" } })).body).toMatchObject({
      title: "Launch day",
    });
    const list = await apiJson<List<{ id: number }>>("/api/content?kind=news");
    expect(list.body.results.map((r) => r.id)).toContain(id);
    expect((await apiJson(`/api/content/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await apiJson(`/api/content/${id}`)).status).toBe(404);
    for (const body of [
      {},
      { kind: "blog", title: "x" },
      { kind: "news", title: "" },
      { kind: "news", title: "x", url: "nope" },
      { kind: "news", title: "x", bot_id: 999999 },
    ]) {
      expect((await apiJson("/api/content", { body })).status, JSON.stringify(body)).toBe(400);
    }
  });

  it("lists feedback", async () => {
    await deliver(bot.id, bot.secret, textUpdate("/feedback Nice", { userId: 100 }));
    const list = await apiJson<List<{ text: string; bot_id: number }>>(`/api/feedback?bot_id=${bot.id}`);
    expect(list.body.results).toEqual([expect.objectContaining({ text: "Nice", bot_id: bot.id })]);
    expect((await apiJson<List<unknown>>(`/api/feedback?bot_id=${other.id}`)).body.count).toBe(0);
  });

  it("a text search reads a bounded window: when it runs out, next_cursor continues to older matches", async () => {
    await deliver(other.id, other.secret, textUpdate("the needle in the haystack", { chatId: -100555, userId: 301 }));
    // 10,050 newer messages without the word (as ingest stores them, written directly for speed).
    await env.DB.prepare(
      `INSERT INTO messages (bot_id, chat_id, message_id, date, kind, text, direction)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
       SELECT ?, -100555, 1000 + i, 1700100000 + i, 'message', 'hay ' || i, 'in' FROM n`,
    )
      .bind(other.id)
      .run();
    type Search = List<Msg> & { search: { window: number; window_ran_out: boolean } };
    const first = await apiJson<Search>(`/api/messages?bot_id=${other.id}&q=needle`);
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(0);
    expect(first.body.search).toEqual({ window: 10000, window_ran_out: true });
    expect(first.body.next_cursor).not.toBeNull();
    const next = await apiJson<Search>(`/api/messages?bot_id=${other.id}&q=needle&cursor=${first.body.next_cursor}`);
    expect(next.body.results.map((m) => m.text)).toEqual(["the needle in the haystack"]);
    expect(next.body.search.window_ran_out).toBe(false);
    expect(next.body.next_cursor).toBeNull();
    // A match inside the window is found at once; filters narrow the window too.
    const recent = await apiJson<Search>(`/api/messages?bot_id=${other.id}&q=${encodeURIComponent("hay 10050")}`);
    expect(recent.body.results.map((m) => m.text)).toEqual(["hay 10050"]);
    const inChat = await apiJson<Search>(`/api/messages?bot_id=${other.id}&chat_id=${-100555}&q=needle&limit=5`);
    expect(inChat.body.search.window_ran_out).toBe(true);
  });
});
