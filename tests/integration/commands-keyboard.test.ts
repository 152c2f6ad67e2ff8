// Buttons under a custom command's reply, end to end through the webhook and the fake
// Bot API: what the API refuses, the reply carrying its keyboard, and a press answered
// exactly once (a redelivered press answers and replies nothing more).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { stubFor } from "./coordinator-support";
import { deliver, sentTexts, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8701, "kb_bot");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

type Markup = { inline_keyboard: { text: string; url?: string; callback_data?: string }[][] };
type Button = { text: string; url?: string; callback_reply?: string; id?: string; edit?: boolean };

async function create(body: Record<string, unknown>) {
  return apiJson<{ id: number; keyboard: Button[][] | null; error?: { code: string; message: string } }>("/api/commands", {
    body: { bot_id: bot.id, ...body },
  });
}

let nextUpdate = 880_000;
function press(data: string, queryId: string, messageId: number, userId = 7711) {
  return {
    update_id: nextUpdate++,
    callback_query: {
      id: queryId,
      from: { id: userId, is_bot: false, first_name: "Test", language_code: "en" },
      message: { message_id: messageId, date: 1_700_000_000, chat: { id: userId, type: "private", first_name: "Test" }, text: "Our shop" },
      chat_instance: "1",
      data,
    },
  };
}

describe("keyboard validation", () => {
  it("refuses keyboards Telegram or the platform cannot take, with the reason", async () => {
    const bad: [unknown, RegExp][] = [
      [[[{ text: "Evil", url: "javascript:alert(1)" }]], /javascript: links are not allowed/],
      [[[{ text: "Ftp", url: "ftp://example.com/x" }]], /ftp: links are not allowed/],
      [[[{ text: "", url: "https://example.com" }]], /keyboard/],
      [[[{ text: "x".repeat(65), callback_reply: "hi" }]], /keyboard/],
      [[[]], /a row needs at least one button/],
      [[Array.from({ length: 9 }, (_, i) => ({ text: `b${i}`, callback_reply: "x" }))], /at most 8 buttons a row/],
      [[[{ text: "Both", url: "https://example.com", callback_reply: "x" }]], /a button is/],
      [[[{ text: "Neither" }]], /a button is/],
      [[[{ text: "Data", callback_data: "raw" }]], /a button is/],
      [
        [
          [
            { text: "A", callback_reply: "x", id: "same" },
            { text: "B", callback_reply: "y", id: "same" },
          ],
        ],
        /button ids must be different/,
      ],
      [[[{ text: "Long id", callback_reply: "x", id: "x".repeat(17) }]], /1-16 characters/],
      [[[{ text: "Link", callback_reply: "[x](javascript:alert(1))" }]], /javascript: links are not allowed/],
      [{ text: "not rows" }, /keyboard/],
    ];
    for (const [keyboard, why] of bad) {
      const res = await create({ command: "shop_bad", reply_text: "Our shop", keyboard });
      expect(res.status, JSON.stringify(keyboard)).toBe(400);
      expect(res.body.error?.message, JSON.stringify(keyboard)).toMatch(why);
    }
    const handler = await create({ command: "shop_bad", handler_name: "echo", keyboard: [[{ text: "A", callback_reply: "x" }]] });
    expect(handler.status).toBe(400);
    expect(handler.body.error?.message).toMatch(/buttons go under a reply_text/);
    // Nothing half-written.
    expect((await apiJson<{ results: { command: string }[] }>(`/api/commands?bot_id=${bot.id}`)).body.results).toEqual([]);

    // A handler command cannot gain buttons by a change either; a reply command can.
    const h = await create({ command: "say_kb", handler_name: "echo" });
    const patched = await apiJson(`/api/commands/${h.body.id}`, {
      method: "PATCH",
      body: { keyboard: [[{ text: "A", callback_reply: "x" }]] },
    });
    expect(patched.status).toBe(400);
    await apiJson(`/api/commands/${h.body.id}`, { method: "DELETE" });
  });
});

describe("a command with buttons", () => {
  it("replies with its keyboard: links as url buttons, replies as short callback_data", async () => {
    const res = await create({
      command: "shop",
      reply_text: "Our shop",
      keyboard: [
        [
          { text: "Website", url: "https://example.com/shop" },
          { text: "Prices", callback_reply: "From 10 € a month" },
        ],
        [{ text: "Hours", callback_reply: "Open 9-18", edit: true }],
      ],
    });
    expect(res.status).toBe(201);
    const [websiteBtn, pricesBtn] = res.body.keyboard?.[0] ?? [];
    expect(websiteBtn).toEqual({ text: "Website", url: "https://example.com/shop" });
    expect(pricesBtn?.id).toMatch(/^[A-Za-z0-9_-]{1,16}$/);

    await deliver(bot.id, bot.secret, textUpdate("/shop", { userId: 7711 }));
    const sent = fake.callsOf("sendMessage");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.params.text).toBe("Our shop");
    const markup = sent[0]?.params.reply_markup as Markup;
    expect(markup.inline_keyboard).toEqual([
      [
        { text: "Website", url: "https://example.com/shop" },
        { text: "Prices", callback_data: `kb:${res.body.id}:${pricesBtn?.id}` },
      ],
      [{ text: "Hours", callback_data: `kb:${res.body.id}:${res.body.keyboard?.[1]?.[0]?.id}` }],
    ]);
    for (const b of markup.inline_keyboard.flat()) {
      if (b.callback_data) expect(new TextEncoder().encode(b.callback_data).length).toBeLessThanOrEqual(64);
    }
  });

  it("answers a press once: answerCallbackQuery, then the stored reply; the same press delivered again does nothing more", async () => {
    const { body: list } = await apiJson<{ results: { id: number; command: string; keyboard: Button[][] }[] }>(
      `/api/commands?bot_id=${bot.id}`,
    );
    const shop = list.results.find((c) => c.command === "shop");
    const prices = shop?.keyboard[0]?.[1];
    const update = press(`kb:${shop?.id}:${prices?.id}`, "cbq-prices", 4242);

    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("answerCallbackQuery").map((c) => c.params)).toEqual([{ callback_query_id: "cbq-prices" }]);
    expect(sentTexts(fake)).toEqual(["From 10 € a month"]);
    expect(fake.callsOf("sendMessage")[0]?.params.chat_id).toBe(7711);
    // Both went through the journal: the answer first, then the reply, each recorded as sent.
    expect(await stubFor(bot.id).journalOf(update.update_id)).toEqual([
      expect.objectContaining({ key: "call:0:answerCallbackQuery", state: "sent" }),
      expect.objectContaining({ key: "reply:1", state: "sent" }),
    ]);
  });

  it("an `edit` button puts its reply in place of the message's text and keeps the keyboard", async () => {
    const { body: list } = await apiJson<{ results: { id: number; command: string; keyboard: Button[][] }[] }>(
      `/api/commands?bot_id=${bot.id}`,
    );
    const shop = list.results.find((c) => c.command === "shop");
    const hours = shop?.keyboard[1]?.[0];
    await deliver(bot.id, bot.secret, press(`kb:${shop?.id}:${hours?.id}`, "cbq-hours", 4243));
    const edits = fake.callsOf("editMessageText");
    expect(edits).toHaveLength(1);
    expect(edits[0]?.params).toMatchObject({ chat_id: 7711, message_id: 4243, text: "Open 9-18" });
    expect((edits[0]?.params.reply_markup as Markup | undefined)?.inline_keyboard.flat().map((b) => b.text)).toEqual([
      "Website",
      "Prices",
      "Hours",
    ]);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect(fake.callsOf("answerCallbackQuery")).toHaveLength(1);
  });

  it("keeps button ids given back on a change (old messages' buttons still work) and says so when a button is gone", async () => {
    const { body: list } = await apiJson<{ results: { id: number; command: string; keyboard: Button[][] }[] }>(
      `/api/commands?bot_id=${bot.id}`,
    );
    const shop = list.results.find((c) => c.command === "shop");
    const prices = shop?.keyboard[0]?.[1];
    const patched = await apiJson<{ keyboard: Button[][] }>(`/api/commands/${shop?.id}`, {
      method: "PATCH",
      body: { keyboard: [[{ ...prices, callback_reply: "From 12 € a month" }]] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.keyboard[0]?.[0]?.id).toBe(prices?.id);
    await deliver(bot.id, bot.secret, press(`kb:${shop?.id}:${prices?.id}`, "cbq-new-price", 4244));
    expect(sentTexts(fake)).toEqual(["From 12 € a month"]);

    fake.reset();
    await deliver(bot.id, bot.secret, press(`kb:${shop?.id}:nosuchbutton`, "cbq-gone", 4245));
    await deliver(bot.id, bot.secret, press("kb:999999:abc", "cbq-gone-2", 4246));
    expect(fake.callsOf("answerCallbackQuery").map((c) => c.params)).toEqual([
      { callback_query_id: "cbq-gone", text: "This button is no longer available." },
      { callback_query_id: "cbq-gone-2", text: "This button is no longer available." },
    ]);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);

    // Turning the command off turns its buttons off too.
    await apiJson(`/api/commands/${shop?.id}`, { method: "PATCH", body: { is_active: false } });
    fake.reset();
    await deliver(bot.id, bot.secret, press(`kb:${shop?.id}:${prices?.id}`, "cbq-off", 4247));
    expect(fake.callsOf("answerCallbackQuery")[0]?.params.text).toBe("This button is no longer available.");
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
  });

  it("a keyboard of [] removes the buttons", async () => {
    const res = await create({ command: "plain", reply_text: "Plain", keyboard: [[{ text: "A", url: "https://example.com" }]] });
    const cleared = await apiJson<{ keyboard: unknown }>(`/api/commands/${res.body.id}`, { method: "PATCH", body: { keyboard: [] } });
    expect(cleared.body.keyboard).toBeNull();
    await deliver(bot.id, bot.secret, textUpdate("/plain", { userId: 7712 }));
    expect(fake.callsOf("sendMessage")[0]?.params.reply_markup).toBeUndefined();
  });
});
