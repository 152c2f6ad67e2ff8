// Webhook set/info/delete and bot status/send against the fake Bot API; group migration
// (service messages and a 400 migrate_to_chat_id on send); joins and leaves.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { count, deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8301, "admin_bot");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("webhook management", () => {
  it("set generates a fresh secret each time, stores only its hash, never answers it", async () => {
    fake.reset();
    const first = await apiJson<Record<string, unknown>>(`/telegram/webhook/${bot.id}/set/`, { body: { drop_pending_updates: true } });
    expect(first.status).toBe(200);
    const call = fake.callsOf("setWebhook")[0];
    expect(call?.params).toMatchObject({ url: `https://platform.test/telegram/webhook/${bot.id}/`, drop_pending_updates: true });
    expect(call?.params.allowed_updates).toEqual(expect.arrayContaining(["message", "callback_query", "chat_member", "my_chat_member"]));
    const secret1 = String(call?.params.secret_token);
    expect(secret1).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(JSON.stringify(first.body)).not.toContain(secret1);
    const row = await env.DB.prepare("SELECT webhook_secret_hash, webhook_url FROM bots WHERE id = ?")
      .bind(bot.id)
      .first<Record<string, string>>();
    expect(row?.webhook_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret1);

    await apiJson(`/telegram/webhook/${bot.id}/set/`, { body: { url: "https://hooks.example.com/x/", allowed_updates: ["message"] } });
    const secret2 = String(fake.callsOf("setWebhook")[1]?.params.secret_token);
    expect(secret2).not.toBe(secret1);
    expect(fake.callsOf("setWebhook")[1]?.params).toMatchObject({ url: "https://hooks.example.com/x/", allowed_updates: ["message"] });
    // The old secret stops working, the new one works.
    expect((await deliver(bot.id, secret1, textUpdate("hi"))).status).toBe(401);
    expect((await deliver(bot.id, secret2, textUpdate("hi"))).status).toBe(200);
    bot.secret = secret2;

    expect((await apiJson(`/telegram/webhook/${bot.id}/set/`, { body: { url: "not a url" } })).status).toBe(400);
    expect((await api(`/telegram/webhook/${bot.id}/set/`, { body: {}, token: null })).status).toBe(401);
    expect((await apiJson(`/telegram/webhook/999999/set/`, { body: {} })).status).toBe(404);
  });

  it("info answers getWebhookInfo's fields; a Telegram refusal is a 4xx with its description", async () => {
    fake.queue("getWebhookInfo", {
      result: {
        url: "https://hooks.example.com/x/",
        has_custom_certificate: false,
        pending_update_count: 3,
        last_error_date: 1700000000,
        last_error_message: "Wrong response from the webhook: 503",
        allowed_updates: ["message"],
      },
    });
    const info = await apiJson<Record<string, unknown>>(`/telegram/webhook/${bot.id}/info/`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      url: "https://hooks.example.com/x/",
      pending_update_count: 3,
      last_error_date: 1700000000,
      last_error_message: "Wrong response from the webhook: 503",
      allowed_updates: ["message"],
    });
    fake.queue("getWebhookInfo", { error_code: 401, description: "Unauthorized" });
    const refused = await apiJson<{ error: { message: string } }>(`/telegram/webhook/${bot.id}/info/`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain("Unauthorized");
    fake.queue("getWebhookInfo", { networkError: true }, { networkError: true }, { networkError: true });
    expect((await apiJson(`/telegram/webhook/${bot.id}/info/`)).status).toBe(502);
  });

  it("delete calls deleteWebhook and clears the stored url and secret", async () => {
    const res = await apiJson(`/telegram/webhook/${bot.id}/delete/`, { body: {} });
    expect(res.status).toBe(200);
    expect(fake.callsOf("deleteWebhook")).toHaveLength(1);
    const row = await env.DB.prepare("SELECT webhook_secret_hash, webhook_url FROM bots WHERE id = ?").bind(bot.id).first();
    expect(row).toEqual({ webhook_secret_hash: null, webhook_url: null });
    expect((await deliver(bot.id, bot.secret, textUpdate("hi"))).status).toBe(401);
    // Set again for the tests below.
    await apiJson(`/telegram/webhook/${bot.id}/set/`, { body: {} });
    bot.secret = String(fake.callsOf("setWebhook").at(-1)?.params.secret_token);
  });
});

describe("bot status and send", () => {
  it("send stores the message as outgoing and answers it", async () => {
    const res = await apiJson<{ message: { message_id: number; text: string } }>(`/telegram/bot/${bot.id}/send/`, {
      body: { chat_id: 1234, text: "Hello *there*" },
    });
    expect(res.status).toBe(200);
    expect(res.body.message.text).toBe("Hello *there*");
    expect(fake.callsOf("sendMessage")[0]?.params).toMatchObject({ chat_id: 1234, parse_mode: "Markdown" });
    expect(
      await count(
        "SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = 1234 AND direction = 'out' AND message_id = ?",
        bot.id,
        res.body.message.message_id,
      ),
    ).toBe(1);

    const photo = await apiJson(`/telegram/bot/${bot.id}/send/`, {
      body: { chat_id: 1234, photo: "https://example.com/p.jpg", caption: "pic" },
    });
    expect(photo.status).toBe(200);
    expect(
      await count(
        "SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = 1234 AND media_type = 'photo' AND direction = 'out'",
        bot.id,
      ),
    ).toBe(1);
  });

  it("falls back to plain text when Telegram cannot parse the Markdown", async () => {
    fake.queue("sendMessage", { error_code: 400, description: "Bad Request: can't parse entities: Can't find end of the entity" });
    const res = await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 1234, text: "broken *markdown" } });
    expect(res.status).toBe(200);
    expect(fake.callsOf("sendMessage")[1]?.params.parse_mode).toBeUndefined();
  });

  it("answers Telegram's refusal as a 4xx with its description, a network failure as 502, bad input as 400", async () => {
    fake.queue("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    const refused = await apiJson<{ error: { message: string } }>(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 99, text: "x" } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.body.error.message).toContain("bot was blocked by the user");
    fake.queue("sendMessage", { networkError: true });
    expect((await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 99, text: "x" } })).status).toBe(502);
    for (const body of [
      {},
      { chat_id: 1 },
      { chat_id: 1, text: "a", photo: "b" },
      { chat_id: "nope", text: "a" },
      { chat_id: 1, text: "" },
    ]) {
      expect((await apiJson(`/telegram/bot/${bot.id}/send/`, { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await apiJson(`/telegram/bot/999999/send/`, { body: { chat_id: 1, text: "a" } })).status).toBe(404);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = 99", bot.id)).toBe(0);
  });

  it("status shows getMe, webhook info, counts and dedupe counters", async () => {
    const u = textUpdate("hello", { userId: 4444 });
    await deliver(bot.id, bot.secret, u);
    await deliver(bot.id, bot.secret, u);
    type Status = {
      telegram: unknown;
      webhook: { ok: boolean };
      chats: { by_type: Record<string, number> };
      users: { total: number };
      messages: { in: number; out: number };
      last_update_at: unknown;
      counters: Record<string, number>;
    };
    const res = await apiJson<Status>(`/telegram/bot/${bot.id}/status/`);
    expect(res.status).toBe(200);
    expect(res.body.telegram).toMatchObject({ ok: true, me: { username: "admin_bot" } });
    expect(res.body.webhook.ok).toBe(true);
    expect(res.body.chats.by_type.private).toBeGreaterThanOrEqual(2);
    expect(res.body.users.total).toBeGreaterThanOrEqual(1);
    expect(res.body.messages.out).toBeGreaterThanOrEqual(2);
    expect(res.body.messages.in).toBeGreaterThanOrEqual(1);
    expect(typeof res.body.last_update_at).toBe("number");
    expect(res.body.counters.duplicates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(res.body)).not.toContain(bot.token);
    expect((await apiJson(`/telegram/bot/999999/status/`)).status).toBe(404);
  });
});

describe("group migration", () => {
  const oldId = -4001;
  const newId = -1004001;

  it("moves the chat's history, rollups and sessions when the group becomes a supergroup", async () => {
    await deliver(bot.id, bot.secret, textUpdate("before 1", { chatId: oldId, userId: 11, chatType: "group" }));
    await deliver(bot.id, bot.secret, textUpdate("before 2", { chatId: oldId, userId: 12, chatType: "group" }));
    await deliver(bot.id, bot.secret, textUpdate("/feedback", { chatId: oldId, userId: 11, chatType: "group" }));
    const chat = { id: oldId, type: "group", title: "Old group" };
    const from = { id: 11, is_bot: false, first_name: "A" };
    await deliver(bot.id, bot.secret, {
      update_id: 880001,
      message: { message_id: 900, date: 1_700_000_500, chat, from, migrate_to_chat_id: newId },
    });
    await deliver(bot.id, bot.secret, {
      update_id: 880002,
      message: {
        message_id: 1,
        date: 1_700_000_501,
        chat: { id: newId, type: "supergroup", title: "Old group" },
        from,
        migrate_from_chat_id: oldId,
      },
    });
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ?", bot.id, oldId)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND text LIKE 'before%'", bot.id, newId)).toBe(
      2,
    );
    expect(await count("SELECT messages AS n FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ?", bot.id, newId)).toBe(3);
    expect(await count("SELECT active_users AS n FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ?", bot.id, newId)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ?", bot.id, oldId)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM sessions WHERE bot_id = ? AND chat_id = ?", bot.id, newId)).toBe(1);
    // One chat in the list; the old group's row (a pointer to the new id) only when asked for.
    const listed = await apiJson<{ results: { chat_id: number }[] }>(`/api/chats?bot_id=${bot.id}`);
    expect(listed.body.results.map((c) => c.chat_id)).toContain(newId);
    expect(listed.body.results.map((c) => c.chat_id)).not.toContain(oldId);
    const chats = await apiJson<{ results: { chat_id: number; migrated_to_chat_id: number | null; type: string }[] }>(
      `/api/chats?bot_id=${bot.id}&include_migrated=1`,
    );
    expect(chats.body.results.find((c) => c.chat_id === oldId)?.migrated_to_chat_id).toBe(newId);
    expect(chats.body.results.find((c) => c.chat_id === newId)?.type).toBe("supergroup");
    // The dialog continues in the new chat.
    fake.reset();
    await deliver(bot.id, bot.secret, textUpdate("feedback after migration", { chatId: newId, userId: 11 }));
    expect(fake.callsOf("sendMessage")[0]?.params.text).toMatch(/Thank you/);
  });

  it("a send answered 400 migrate_to_chat_id moves the chat and follows it once", async () => {
    const gOld = -5001;
    const gNew = -1005001;
    await deliver(bot.id, bot.secret, textUpdate("old msg", { chatId: gOld, userId: 13, chatType: "group" }));
    fake.queue("sendMessage", {
      error_code: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      parameters: { migrate_to_chat_id: gNew },
    });
    const res = await apiJson<{ message: { chat: { id: number } } }>(`/telegram/bot/${bot.id}/send/`, {
      body: { chat_id: gOld, text: "hi" },
    });
    expect(res.status).toBe(200);
    expect(fake.callsOf("sendMessage").map((c) => c.params.chat_id)).toEqual([gOld, gNew]);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ?", bot.id, gNew)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ?", bot.id, gOld)).toBe(0);
  });
});

describe("joins and leaves", () => {
  it("records member events from service messages and chat_member updates, counted once", async () => {
    const chat = { id: -6001, type: "supergroup", title: "Members" };
    const alice = { id: 31, is_bot: false, first_name: "Alice" };
    const bob = { id: 32, is_bot: false, first_name: "Bob" };
    const date = 1_700_100_000;
    const joinMsg = { update_id: 890001, message: { message_id: 10, date, chat, from: alice, new_chat_members: [alice, bob] } };
    await deliver(bot.id, bot.secret, joinMsg);
    await deliver(bot.id, bot.secret, joinMsg);
    // The same join of Alice reported by a chat_member update too: not counted twice.
    await deliver(bot.id, bot.secret, {
      update_id: 890002,
      chat_member: {
        chat,
        from: alice,
        date: date + 1,
        old_chat_member: { user: alice, status: "left" },
        new_chat_member: { user: alice, status: "member" },
      },
    });
    await deliver(bot.id, bot.secret, {
      update_id: 890003,
      message: { message_id: 11, date: date + 600, chat, from: bob, left_chat_member: bob },
    });
    await deliver(bot.id, bot.secret, {
      update_id: 890004,
      chat_member: {
        chat,
        from: alice,
        date: date + 700,
        old_chat_member: { user: alice, status: "member" },
        new_chat_member: { user: alice, status: "kicked", until_date: 0 },
      },
    });
    expect(await count("SELECT count(*) AS n FROM member_events WHERE bot_id = ? AND chat_id = -6001 AND event = 'join'", bot.id)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM member_events WHERE bot_id = ? AND chat_id = -6001 AND event = 'leave'", bot.id)).toBe(2);
    const day = await env.DB.prepare("SELECT joins, leaves, messages FROM chat_daily_activity WHERE bot_id = ? AND chat_id = -6001")
      .bind(bot.id)
      .first();
    expect(day).toEqual({ joins: 2, leaves: 2, messages: 0 });
  });

  it("my_chat_member records the bot's role in a group", async () => {
    const chat = { id: -6002, type: "supergroup", title: "Promoted" };
    const me = { id: 8301, is_bot: true, first_name: "Bot", username: "admin_bot" };
    await deliver(bot.id, bot.secret, {
      update_id: 890010,
      my_chat_member: {
        chat,
        from: { id: 1, is_bot: false, first_name: "Owner" },
        date: 1_700_000_000,
        old_chat_member: { user: me, status: "member" },
        new_chat_member: { user: me, status: "administrator" },
      },
    });
    expect(await count("SELECT count(*) AS n FROM chats WHERE bot_id = ? AND chat_id = -6002 AND bot_role = 'administrator'", bot.id)).toBe(
      1,
    );
  });
});
