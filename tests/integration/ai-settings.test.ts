// Per-chat AI settings end to end: the staff's modes (JSON API), /mode and /model in a
// private chat and in a group (chat admins only, asked of the faked Bot API), the chosen
// mode's prompt and model reaching the faked provider, and /usage against the quota.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { FakeAi, openaiTurns } from "./ai-support";
import { stubFor } from "./coordinator-support";
import { deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const ai = new FakeAi(fake);
let bot: TestBot;

const replies = () => fake.callsOf("sendMessage").map((c) => String(c.params.text));
const lastReply = () => replies().at(-1) ?? "";
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });
const modesUrl = () => `/api/bots/${bot.id}/ai-modes`;

// The send governor paces a chat at about one message a second (bursts of 3), so a test
// with several exchanges in one chat takes seconds of real time.
vi.setConfig({ testTimeout: 30_000 });

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8601, "settings_test_bot");
  await apiJson(`/api/bots/${bot.id}`, {
    method: "PATCH",
    body: { ai_enabled: true, ai_system_prompt: "The bot's own prompt.", ai_daily_quota: 30 },
  });
});
afterEach(async () => {
  // Nothing of this test may still be on its way when the next one starts counting.
  await stubFor(bot.id).drained(bot.id, { ai: true });
  fake.reset();
  ai.reset();
});
afterAll(() => fake.close());

const press = (data: string, userId: number, chatId: number, messageId: number) => ({
  update_id: Math.floor(Math.random() * 1e9),
  callback_query: {
    id: `cb-${data}`,
    from: { id: userId, is_bot: false, first_name: "Test", language_code: "en" },
    message: {
      message_id: messageId,
      date: 1_700_000_000,
      chat: chatId > 0 ? { id: chatId, type: "private", first_name: "Test" } : { id: chatId, type: "supergroup", title: "G" },
      text: "AI mode",
    },
    chat_instance: "1",
    data,
  },
});

describe("AI modes (the staff's list)", () => {
  it("are created, listed, changed and deleted through the JSON API, with clear refusals", async () => {
    const made = await apiJson<{ id: number; name: string }>(modesUrl(), { body: { name: "Pirate", prompt: "Talk like a pirate." } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "pirate", bot_id: bot.id });
    expect((await apiJson(modesUrl(), { body: { name: "pirate", prompt: "again" } })).status).toBe(409);
    const bad = await apiJson<{ error: { details: { issues: { path: string }[] } } }>(modesUrl(), {
      body: { name: "no spaces", prompt: "" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((d) => d.path).sort()).toEqual(["name", "prompt"]);
    expect((await apiJson(modesUrl(), { body: { name: "default", prompt: "x" } })).status).toBe(400);
    expect((await apiJson(`/api/bots/999999/ai-modes`, { body: { name: "x", prompt: "x" } })).status).toBe(404);

    const tutor = await apiJson<{ id: number }>(modesUrl(), { body: { name: "tutor", prompt: "You are a patient tutor." } });
    const patched = await apiJson(`${modesUrl()}/${tutor.body.id}`, { method: "PATCH", body: { prompt: "You are a very patient tutor." } });
    expect(patched.body).toMatchObject({ name: "tutor", prompt: "You are a very patient tutor." });
    const list = await apiJson<{ results: { name: string }[] }>(modesUrl(), { method: "GET" });
    expect(list.body.results.map((m) => m.name)).toEqual(["pirate", "tutor"]);

    const temp = await apiJson<{ id: number }>(modesUrl(), { body: { name: "temp", prompt: "temporary" } });
    expect((await apiJson(`${modesUrl()}/${temp.body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await apiJson(`${modesUrl()}/${temp.body.id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("/mode and /model in a private chat", () => {
  const user = 7801;

  it("/mode lists the modes with a keyboard; a button picks one, and the AI then answers with its prompt", async () => {
    await deliver(bot.id, bot.secret, textUpdate("/mode", { userId: user }));
    await waitFor(() => expect(replies()).toHaveLength(1));
    expect(lastReply()).toMatch(/AI mode: default/);
    const keyboard = fake.callsOf("sendMessage")[0]?.params.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    const buttons = keyboard.inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(["pirate", "tutor", "✓ default"]);

    const pirate = buttons[0]?.callback_data ?? "";
    await deliver(bot.id, bot.secret, press(pirate, user, user, 1234));
    expect(fake.callsOf("answerCallbackQuery")[0]?.params.text).toBe("AI mode set to “pirate”.");
    expect(String(fake.callsOf("editMessageText")[0]?.params.text)).toMatch(/AI mode: pirate/);

    await deliver(bot.id, bot.secret, textUpdate("ahoy?", { userId: user }));
    await waitFor(() => expect(ai.calls).toHaveLength(1));
    expect(openaiTurns(ai.calls[0] as never)[0]).toEqual(["system", "Talk like a pirate."]);

    // By name, and back to the bot's own prompt.
    await deliver(bot.id, bot.secret, textUpdate("/mode tutor", { userId: user }));
    await waitFor(() => expect(lastReply()).toBe("AI mode set to “tutor”."));
    await deliver(bot.id, bot.secret, textUpdate("/mode nosuch", { userId: user }));
    await waitFor(() => expect(lastReply()).toBe("There is no mode “nosuch”. Modes: pirate, tutor."));
    await deliver(bot.id, bot.secret, textUpdate("/mode default", { userId: user }));
    await waitFor(() => expect(lastReply()).toBe("AI mode set back to the default."));
    await deliver(bot.id, bot.secret, textUpdate("and now?", { userId: user }));
    await waitFor(() => expect(ai.calls).toHaveLength(2));
    expect(openaiTurns(ai.calls[1] as never)[0]).toEqual(["system", "The bot's own prompt."]);
  });

  it("/model picks one of the allowed models, refuses any other string, and the provider gets it", async () => {
    await deliver(bot.id, bot.secret, textUpdate("/model", { userId: user }));
    await waitFor(() => expect(replies()).toHaveLength(1));
    expect(lastReply()).toMatch(/gpt-4o-mini \(openai\)/);
    expect(lastReply()).toMatch(/gemini-2\.5-flash \(gemini\)/);

    await deliver(bot.id, bot.secret, textUpdate("/model gpt-5-unreleased", { userId: user }));
    await waitFor(() => expect(lastReply()).toMatch(/^“gpt-5-unreleased” is not one of the allowed models: gpt-4o-mini, /));
    await deliver(bot.id, bot.secret, textUpdate("/model gpt-4o", { userId: user }));
    await waitFor(() => expect(lastReply()).toBe("AI model set to gpt-4o."));
    await deliver(bot.id, bot.secret, textUpdate("which model?", { userId: user }));
    await waitFor(() => expect(ai.calls).toHaveLength(1));
    expect(ai.calls[0]?.body.model).toBe("gpt-4o");

    // A Gemini model puts Gemini first for this chat.
    await deliver(bot.id, bot.secret, textUpdate("/model gemini-2.5-pro", { userId: user }));
    await waitFor(() => expect(lastReply()).toBe("AI model set to gemini-2.5-pro."));
    await deliver(bot.id, bot.secret, textUpdate("and now?", { userId: user }));
    await waitFor(() => expect(ai.calls).toHaveLength(2));
    expect(ai.calls[1]?.provider).toBe("gemini");
    expect(ai.calls[1]?.url).toContain("/models/gemini-2.5-pro:");
    const row = await env.DB.prepare("SELECT model FROM chat_ai_settings WHERE bot_id = ? AND chat_id = ?").bind(bot.id, user).first();
    expect(row).toEqual({ model: "gemini-2.5-pro" });
  });
});

describe("/mode and /model in a group: chat admins only", () => {
  const group = -100_8601;
  const memberIs = (status: string) =>
    fake.on("getChatMember", (call) => ({
      result: { status, user: { id: Number(call.params.user_id), is_bot: false, first_name: "Test" } },
    }));

  it("refuses a member who is not an admin, and changes nothing", async () => {
    memberIs("member");
    await deliver(bot.id, bot.secret, textUpdate("/mode pirate", { userId: 7901, chatId: group }));
    await waitFor(() => expect(lastReply()).toBe("Only this chat's administrators can change its AI settings."));
    expect(fake.callsOf("getChatMember")[0]?.params).toMatchObject({ chat_id: group, user_id: 7901 });
    await deliver(bot.id, bot.secret, press("aimodel:0", 7901, group, 555));
    expect(fake.callsOf("answerCallbackQuery")[0]?.params.text).toBe("Only this chat's administrators can change its AI settings.");
    expect(fake.callsOf("editMessageText")).toHaveLength(0);
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM chat_ai_settings WHERE chat_id = ?").bind(group).first();
    expect(row).toEqual({ n: 0 });
  });

  it("lets an admin choose, and the group's answers use it", async () => {
    memberIs("administrator");
    await deliver(bot.id, bot.secret, textUpdate("/mode pirate", { userId: 7902, chatId: group }));
    await waitFor(() => expect(lastReply()).toBe("AI mode set to “pirate”."));
    const m = textUpdate("@settings_test_bot hello", { userId: 7903, chatId: group });
    Object.assign(m.message, { entities: [{ type: "mention", offset: 0, length: 18 }] });
    await deliver(bot.id, bot.secret, m);
    await waitFor(() => expect(ai.calls).toHaveLength(1));
    expect(openaiTurns(ai.calls[0] as never)[0]).toEqual(["system", "Talk like a pirate."]);
  });
});

describe("/usage", () => {
  it("shows the user's requests and tokens today and this month against the quota", async () => {
    const user = 7950;
    for (const q of ["one", "two"]) {
      await deliver(bot.id, bot.secret, textUpdate(q, { userId: user }));
      await waitFor(() => expect(replies().filter((t) => t.startsWith("openai says"))).toHaveLength(q === "one" ? 1 : 2));
    }
    await deliver(bot.id, bot.secret, textUpdate("/usage", { userId: user }));
    await waitFor(() => expect(lastReply()).toMatch(/^Your AI usage/));
    // Each fake answer costs 15 tokens (OpenAI's usage.total_tokens); the daily quota is 30 requests.
    expect(lastReply()).toBe(
      [
        "Your AI usage",
        "Today: 2 of 30 requests, 30 of 50,000 tokens",
        "This month: 2 of 1,000 requests, 30 of 1,000,000 tokens",
        "Days reset at 00:00 UTC, months on the 1st.",
      ].join("\n"),
    );
  });
});
