// Commands answered through the webhook: built-ins in English and Russian, custom reply
// and handler commands, addressing, the /settings callback round trip and the /feedback dialog.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { stubFor } from "./coordinator-support";
import { count, deliver, sentTexts, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8201, "cmd_bot");
  await apiJson(`/api/bots/${bot.id}`, {
    method: "PATCH",
    body: { welcome_text: "Hello from cmd_bot!", info_text: "Info text here", contact_text: "Write to help@example.com" },
  });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

/** Delivers a text and answers what the bot sent back. */
async function say(text: string, opts: Parameters<typeof textUpdate>[1] = {}): Promise<string[]> {
  fake.reset();
  const res = await deliver(bot.id, bot.secret, textUpdate(text, opts));
  expect(res.status, text).toBe(200);
  return sentTexts(fake);
}

describe("built-in commands", () => {
  it("/start answers the bot's welcome text, /info and /contact theirs", async () => {
    expect(await say("/start")).toEqual(["Hello from cmd_bot!"]);
    expect(await say("/info")).toEqual(["Info text here"]);
    expect(await say("/contact")).toEqual(["Write to help@example.com"]);
  });

  it("stores the replies as outgoing messages in the chat", async () => {
    await say("/info", { userId: 3131 });
    expect(
      await count(
        "SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = 3131 AND direction = 'out' AND text = 'Info text here'",
        bot.id,
      ),
    ).toBe(1);
  });

  it("/help lists the built-ins and the active custom commands", async () => {
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "rules", description: "House rules", reply_text: "Be nice." } });
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "hidden", reply_text: "x", is_active: false } });
    const [text] = await say("/help");
    expect(text).toContain("/start");
    expect(text).toContain("/feedback");
    expect(text).toContain("/rules - House rules");
    expect(text).not.toContain("/hidden");
  });

  it("/news and /games list content items, newest first", async () => {
    expect(await say("/news")).toEqual(["No news yet."]);
    await apiJson("/api/content", { body: { kind: "news", title: "Old news", published_at: 1000 } });
    await apiJson("/api/content", { body: { kind: "news", title: "Fresh news", url: "https://example.com/n", published_at: 2000 } });
    await apiJson("/api/content", { body: { kind: "game", title: "Chess", summary: "A classic", bot_id: bot.id } });
    const [news] = await say("/news");
    expect(news).toMatch(/Fresh news[\s\S]*https:\/\/example.com\/n[\s\S]*Old news/);
    const [games] = await say("/games");
    expect(games).toContain("Chess");
    expect(games).toContain("A classic");
  });

  it("answers in Russian for a Russian language_code, English otherwise", async () => {
    expect((await say("/news", { userId: 9001, lang: "ru" }))[0]).toMatch(/Последние новости/);
    expect((await say("/nope", { userId: 9001, lang: "ru" }))[0]).toMatch(/Неизвестная команда/);
    expect((await say("/nope", { userId: 9002, lang: "de" }))[0]).toMatch(/Unknown command/);
  });

  it("handles /cmd@thisbot and ignores /cmd@otherbot", async () => {
    expect(await say("/info@cmd_bot")).toEqual(["Info text here"]);
    expect(await say("/info@CMD_BOT extra")).toEqual(["Info text here"]);
    expect(await say("/info@other_bot")).toEqual([]);
    expect(await say("/info@other_bot", { chatId: -100555, userId: 77 })).toEqual([]);
  });

  it("answers an unknown command with a hint in private chats, stays quiet on unaddressed ones in groups", async () => {
    expect(await say("/whatever")).toEqual(["Unknown command. Send /help to see the available commands."]);
    expect(await say("/whatever", { chatId: -100556, userId: 78 })).toEqual([]);
    expect((await say("/whatever@cmd_bot", { chatId: -100556, userId: 78 }))[0]).toMatch(/Unknown command/);
  });

  it("replies in the forum topic the command came from", async () => {
    fake.reset();
    const u = textUpdate("/info", { chatId: -100999, userId: 79 });
    const update = { ...u, message: { ...u.message, message_thread_id: 42, is_topic_message: true } };
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")[0]?.params.message_thread_id).toBe(42);
  });
});

describe("custom commands", () => {
  it("answers a custom reply command and a custom handler command", async () => {
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "ping", reply_text: "pong" } });
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "say", handler_name: "echo" } });
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "me", handler_name: "whoami" } });
    expect(await say("/ping")).toEqual(["pong"]);
    expect(await say("/say hello   world")).toEqual(["hello   world"]);
    expect((await say("/me", { userId: 4040 }))[0]).toMatch(/id 4040/);
  });
});

describe("/settings", () => {
  it("shows the keyboard, and a button press saves, redraws and answers the callback", async () => {
    const userId = 5050;
    fake.reset();
    await deliver(bot.id, bot.secret, textUpdate("/settings", { userId }));
    const sent = fake.callsOf("sendMessage")[0];
    const markup = sent?.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] };
    const buttons = markup.inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual(["settings:lang:en", "settings:lang:ru", "settings:notify:off"]);
    for (const b of buttons) expect(new TextEncoder().encode(b.callback_data).length).toBeLessThanOrEqual(64);
    const stored = await env.DB.prepare(
      "SELECT message_id FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'out' ORDER BY id DESC",
    )
      .bind(bot.id, userId)
      .first<{ message_id: number }>();

    fake.reset();
    const press = (data: string, id: string) => ({
      update_id: Math.floor(Math.random() * 1e9),
      callback_query: {
        id,
        from: { id: userId, is_bot: false, first_name: "Test", language_code: "en" },
        message: {
          message_id: stored?.message_id,
          date: 1_700_000_000,
          chat: { id: userId, type: "private", first_name: "Test" },
          text: "Settings",
        },
        chat_instance: "1",
        data,
      },
    });
    expect((await deliver(bot.id, bot.secret, press("settings:lang:ru", "cb1"))).status).toBe(200);
    const edit = fake.callsOf("editMessageText")[0];
    expect(edit?.params.message_id).toBe(stored?.message_id);
    expect(String(edit?.params.text)).toMatch(/Настройки/);
    expect(fake.callsOf("answerCallbackQuery")[0]?.params).toMatchObject({ callback_query_id: "cb1", text: "Сохранено" });
    const prefs = await env.DB.prepare("SELECT preferences FROM tg_users WHERE bot_id = ? AND user_id = ?")
      .bind(bot.id, userId)
      .first<{ preferences: string }>();
    expect(JSON.parse(String(prefs?.preferences))).toMatchObject({ language: "ru" });

    // The saved language now overrides language_code "en".
    expect((await say("/nope", { userId, lang: "en" }))[0]).toMatch(/Неизвестная команда/);

    fake.reset();
    await deliver(bot.id, bot.secret, press("settings:notify:off", "cb2"));
    expect(String(fake.callsOf("editMessageText")[0]?.params.text)).toMatch(/Уведомления: выкл/);
    const prefs2 = await env.DB.prepare("SELECT preferences FROM tg_users WHERE bot_id = ? AND user_id = ?")
      .bind(bot.id, userId)
      .first<{ preferences: string }>();
    expect(JSON.parse(String(prefs2?.preferences))).toEqual({ language: "ru", notifications: false });

    // Back to English through the keyboard.
    fake.reset();
    await deliver(bot.id, bot.secret, press("settings:lang:en", "cb3"));
    expect((await say("/nope", { userId, lang: "ru" }))[0]).toMatch(/Unknown command/);
  });
});

describe("a failure between two effects", () => {
  it("journals both: the first as sent, the second as unknown, and a redelivery repeats neither", async () => {
    const userId = 5151;
    await deliver(bot.id, bot.secret, textUpdate("/settings", { userId }));
    fake.reset();
    const update = {
      update_id: 777_001,
      callback_query: {
        id: "cb-fail",
        from: { id: userId, is_bot: false, first_name: "Test", language_code: "en" },
        message: { message_id: 1, date: 1_700_000_000, chat: { id: userId, type: "private", first_name: "Test" }, text: "Settings" },
        chat_instance: "1",
        data: "settings:notify:off",
      },
    };
    // answerCallbackQuery fails three times (the client retries it twice): its outcome is unknown.
    fake.queue("answerCallbackQuery", { networkError: true }, { networkError: true }, { networkError: true });
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("editMessageText")).toHaveLength(1);
    expect(await stubFor(bot.id).journalOf(update.update_id)).toEqual([
      expect.objectContaining({ key: "call:0:editMessageText", state: "sent" }),
      expect.objectContaining({ key: "call:1:answerCallbackQuery", state: "unknown" }),
    ]);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("editMessageText")).toHaveLength(1);
    expect(fake.callsOf("answerCallbackQuery")).toHaveLength(3);
  });
});

describe("/feedback", () => {
  it("stores the text after the command at once", async () => {
    expect(await say("/feedback Great bot", { userId: 6060 })).toEqual(["Thank you! Your feedback has been recorded."]);
    const list = await apiJson<{ results: { text: string; user_id: number }[] }>(`/api/feedback?bot_id=${bot.id}`);
    expect(list.body.results.find((f) => f.user_id === 6060)?.text).toBe("Great bot");
  });

  it("asks, then takes the next message (a session), exactly once", async () => {
    const userId = 6061;
    expect(await say("/feedback", { userId })).toEqual(["Please send your feedback as the next message."]);
    expect(await count("SELECT count(*) AS n FROM sessions WHERE bot_id = ? AND user_id = ?", bot.id, userId)).toBe(1);
    fake.reset();
    const next = textUpdate("The colours are too bright", { userId });
    await deliver(bot.id, bot.secret, next);
    await deliver(bot.id, bot.secret, next); // redelivered: no second row, no second thanks
    expect(sentTexts(fake)).toEqual(["Thank you! Your feedback has been recorded."]);
    expect(await count("SELECT count(*) AS n FROM feedback WHERE bot_id = ? AND user_id = ?", bot.id, userId)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM sessions WHERE bot_id = ? AND user_id = ?", bot.id, userId)).toBe(0);
    // The dialog is over: the next message is an ordinary one.
    expect(await say("just chatting", { userId })).toEqual([]);
  });

  it("falls back to D1 when the KV copy of a session is missing", async () => {
    const userId = 6062;
    await say("/feedback", { userId });
    await env.KV.delete(`dialog:${bot.id}:${userId}:${userId}`);
    expect(await say("from D1", { userId })).toEqual(["Thank you! Your feedback has been recorded."]);
    expect(await count("SELECT count(*) AS n FROM feedback WHERE bot_id = ? AND text = 'from D1'", bot.id)).toBe(1);
  });

  it("ignores an expired session", async () => {
    const userId = 6063;
    await say("/feedback", { userId });
    await env.DB.prepare("UPDATE sessions SET expires_at = 1 WHERE bot_id = ? AND user_id = ?").bind(bot.id, userId).run();
    await env.KV.delete(`dialog:${bot.id}:${userId}:${userId}`);
    expect(await say("too late", { userId })).toEqual([]);
  });
});

describe("commands API and setMyCommands", () => {
  it("syncs the menu when commands change and validates input", async () => {
    fake.reset();
    const created = await apiJson<{ id: number; sync: { ok: boolean } }>("/api/commands", {
      body: { bot_id: bot.id, command: "/Promo", description: "Promotions", reply_text: "50% off" },
    });
    expect(created.status).toBe(201);
    expect(created.body.sync.ok).toBe(true);
    const defaultMenu = () =>
      fake.callsOf("setMyCommands").find((c) => (c.params.scope as { type: string }).type === "default" && !c.params.language_code)?.params
        .commands as { command: string; description: string }[];
    const menu = defaultMenu();
    expect(menu.map((c) => c.command)).toEqual(expect.arrayContaining(["start", "help", "promo"]));

    fake.reset();
    const patched = await apiJson(`/api/commands/${created.body.id}`, { method: "PATCH", body: { is_active: false } });
    expect(patched.status).toBe(200);
    const menu2 = defaultMenu();
    expect(menu2.map((c) => c.command)).not.toContain("promo");
    expect(await say("/promo")).toEqual(["Unknown command. Send /help to see the available commands."]);

    fake.reset();
    expect((await apiJson(`/api/commands/${created.body.id}`, { method: "DELETE" })).status).toBe(200);
    // It was inactive, so no menu listed it: no menu changes, and none is sent again.
    expect(fake.callsOf("setMyCommands")).toHaveLength(0);
    expect((await apiJson(`/api/commands/${created.body.id}`)).status).toBe(404);

    const bad = [
      { bot_id: bot.id, command: "x y", reply_text: "a" },
      { bot_id: bot.id, command: "ok" },
      { bot_id: bot.id, command: "ok", reply_text: "a", handler_name: "echo" },
      { bot_id: bot.id, command: "ok", handler_name: "no_such_handler" },
      { bot_id: 999_999, command: "ok", reply_text: "a" },
    ];
    for (const body of bad) expect((await apiJson("/api/commands", { body })).status, JSON.stringify(body)).toBe(400);
    expect((await apiJson("/api/commands", { body: { bot_id: bot.id, command: "ping", reply_text: "again" } })).status).toBe(409);
  });
});
