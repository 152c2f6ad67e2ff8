// The AI chatbot end to end: webhook delivery → ingest → offerToAi → the bot's coordinator
// → OpenAI / Gemini (faked at the HTTP level) → the reply through the fake Bot API.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POLITE_FAILURE } from "../../src/ai/texts";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { FakeAi, openaiTurns } from "./ai-support";
import { stubFor, withInstance } from "./coordinator-support";
import { count, deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const ai = new FakeAi(fake);
let bot: TestBot;

const replies = () => fake.callsOf("sendMessage").map((c) => String(c.params.text));
const waitForReplies = (n: number) => vi.waitFor(() => expect(replies()).toHaveLength(n), { timeout: 15_000, interval: 20 });
const settings = (body: Record<string, unknown>) => apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body });

// The send governor paces a chat at about one message a second (bursts of 3), so a test
// with several exchanges in one chat takes seconds of real time.
vi.setConfig({ testTimeout: 30_000 });

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8301, "ai_test_bot");
  await settings({ ai_enabled: true, ai_system_prompt: "You are the test bot.", ai_daily_quota: 100, ai_memory_messages: 4 });
});
afterEach(async () => {
  // Nothing of this test may still be on its way when the next one starts counting.
  await stubFor(bot.id).drained(bot.id, { ai: true });
  fake.reset();
  ai.reset();
});
afterAll(() => fake.close());

describe("AI replies", () => {
  it("answers a private message through OpenAI, with typing, the system prompt, usage and the stored reply", async () => {
    const u = textUpdate("What is 2+2?", { userId: 7001 });
    expect((await deliver(bot.id, bot.secret, u)).status).toBe(200);
    await waitForReplies(1);

    expect(replies()).toEqual(["openai says: What is 2+2?"]);
    const send = fake.callsOf("sendMessage")[0];
    expect(send?.params.chat_id).toBe(7001);
    expect(send?.params.reply_parameters).toMatchObject({ message_id: u.message.message_id });
    expect(fake.callsOf("sendChatAction")[0]?.params).toMatchObject({ chat_id: 7001, action: "typing" });
    expect(ai.of("openai")).toHaveLength(1);
    expect(ai.of("gemini")).toHaveLength(0);
    expect(openaiTurns(ai.of("openai")[0] as never)).toEqual([
      ["system", "You are the test bot."],
      ["user", "What is 2+2?"],
    ]);
    expect(ai.of("openai")[0]?.body.model).toBe("gpt-4o-mini");
    expect(ai.of("openai")[0]?.headers.authorization).toBe("Bearer sk-test-openai");

    await vi.waitFor(async () =>
      expect(await count("SELECT COUNT(*) AS n FROM ai_usage WHERE bot_id = ? AND user_id = 7001", bot.id)).toBe(1),
    );
    const usage = await env.DB.prepare("SELECT * FROM ai_usage WHERE bot_id = ? AND user_id = 7001").bind(bot.id).first();
    expect(usage).toMatchObject({ requests: 1, prompt_tokens: 10, completion_tokens: 5, failures: 0 });
    expect(await count("SELECT COUNT(*) AS n FROM messages WHERE bot_id = ? AND chat_id = 7001 AND direction = 'out'", bot.id)).toBe(1);
  });

  it("does not answer the same update twice when Telegram redelivers it", async () => {
    const u = textUpdate("once please", { userId: 7002 });
    await deliver(bot.id, bot.secret, u);
    await waitForReplies(1);
    const again = await stubFor(bot.id).enqueueAi({
      botId: bot.id,
      updateId: u.update_id,
      chatId: 7002,
      chatType: "private",
      messageId: u.message.message_id,
      userId: 7002,
      userName: "Test",
      text: "once please",
    });
    expect(again).toEqual({ queued: false, duplicate: true });
    await deliver(bot.id, bot.secret, u);
    await new Promise((r) => setTimeout(r, 200));
    expect(replies()).toHaveLength(1);
    expect(ai.calls).toHaveLength(1);
  });

  it("falls back to Gemini when OpenAI answers 429", async () => {
    ai.queue("openai", { status: 429, body: { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } } });
    await deliver(bot.id, bot.secret, textUpdate("Fallback?", { userId: 7003 }));
    await waitForReplies(1);
    expect(replies()).toEqual(["gemini says: Fallback?"]);
    const g = ai.of("gemini")[0];
    expect(new URL(g?.url ?? "").pathname).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(g?.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(g?.body.systemInstruction).toBeTruthy();
    const usage = await env.DB.prepare("SELECT * FROM ai_usage WHERE bot_id = ? AND user_id = 7003").bind(bot.id).first();
    expect(usage).toMatchObject({ requests: 1, prompt_tokens: 7, completion_tokens: 3 });
  });

  it("answers politely when every provider fails (5xx)", async () => {
    ai.queue("openai", { status: 500 });
    ai.queue("gemini", { status: 503 });
    await deliver(bot.id, bot.secret, textUpdate("Anyone there?", { userId: 7004 }));
    await waitForReplies(1);
    expect(replies()).toEqual([POLITE_FAILURE]);
    expect(ai.calls.map((c) => c.provider)).toEqual(["openai", "gemini"]);
    const usage = await env.DB.prepare("SELECT * FROM ai_usage WHERE bot_id = ? AND user_id = 7004").bind(bot.id).first();
    expect(usage).toMatchObject({ requests: 0, failures: 1 });
  });

  it("counts a reply Telegram would not take as a failure staff can see, and does not resend it", async () => {
    fake.queue("sendMessage", { error_code: 500, description: "Internal Server Error" });
    await deliver(bot.id, bot.secret, textUpdate("Are you there?", { userId: 7010 }));
    await vi.waitFor(async () =>
      expect(
        await env.DB.prepare("SELECT requests, failures FROM ai_usage WHERE bot_id = ? AND user_id = 7010").bind(bot.id).first(),
      ).toEqual({ requests: 1, failures: 1 }),
    );
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
  });

  it("journals the AI reply under its update, and a send a dead attempt began is not made again", async () => {
    const u = textUpdate("journal me", { userId: 7011 });
    await deliver(bot.id, bot.secret, u);
    await waitForReplies(1);
    await vi.waitFor(async () =>
      expect(await stubFor(bot.id).journalOf(u.update_id)).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: "ai:reply:0", state: "sent" })]),
      ),
    );
    // The object died after writing the intent of the next update's AI reply, before Telegram answered.
    fake.reset();
    const v = textUpdate("and me", { userId: 7012 });
    await withInstance(stubFor(bot.id), (_i, state) => {
      state.storage.sql.exec(
        "INSERT INTO journal (update_id, key, state, value, at) VALUES (?, 'ai:reply:0', 'sending', NULL, ?)",
        v.update_id,
        Date.now(),
      );
    });
    await deliver(bot.id, bot.secret, v);
    await vi.waitFor(async () =>
      expect(await stubFor(bot.id).journalOf(v.update_id)).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: "ai:reply:0", state: "unknown" })]),
      ),
    );
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
  });

  it("remembers the conversation; past ai_memory_messages the oldest turns are summarised, with one notice; /reset clears it", async () => {
    const answers = () => replies().filter((t) => !t.startsWith("ℹ️"));
    const say = async (text: string, n: number) => {
      await deliver(bot.id, bot.secret, textUpdate(text, { userId: 7005 }));
      await vi.waitFor(() => expect(answers()).toHaveLength(n), { timeout: 15_000, interval: 20 });
    };
    await say("m1", 1);
    await say("m2", 2);
    expect(openaiTurns(ai.calls[1] as never).slice(1)).toEqual([
      ["user", "m1"],
      ["assistant", "openai says: m1"],
      ["user", "m2"],
    ]);
    expect(replies().some((t) => t.startsWith("ℹ️"))).toBe(false);
    // Six turns after m3 pass the limit of four: m1, m2 and their answers are summarised.
    ai.queue("openai", { status: 200 }, { status: 200, body: "They said m1 and m2." });
    await say("m3", 3);
    await vi.waitFor(() => expect(replies().filter((t) => t.startsWith("ℹ️"))).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(replies().at(-1)).toMatch(/Earlier conversation summarised/);
    const summarise = ai.calls[3];
    expect(summarise?.body.stream).toBeUndefined();
    expect(openaiTurns(summarise as never)[1]?.[1]).toContain("User: m1\nAssistant: openai says: m1\nUser: m2");
    await say("m4", 4);
    expect(openaiTurns(ai.calls[4] as never).slice(1)).toEqual([
      ["user", "[Summary of our earlier conversation] They said m1 and m2."],
      ["assistant", "Understood, I will keep that in mind."],
      ["user", "m3"],
      ["assistant", "openai says: m3"],
      ["user", "m4"],
    ]);
    // A second summary (after m4) is not announced again.
    await vi.waitFor(() => expect(ai.calls).toHaveLength(6), { timeout: 15_000, interval: 20 });
    await say("m5", 5);
    expect(replies().filter((t) => t.startsWith("ℹ️"))).toHaveLength(1);

    await deliver(bot.id, bot.secret, textUpdate("/reset", { userId: 7005 }));
    await vi.waitFor(() => expect(replies().at(-1)).toMatch(/forgotten/), { timeout: 15_000, interval: 20 });
    const before = ai.calls.length;
    await say("m6", 7);
    expect(openaiTurns(ai.calls[before] as never)).toEqual([
      ["system", "You are the test bot."],
      ["user", "m6"],
    ]);
  });

  it("when the summary cannot be made, the oldest turns are dropped as before, without a notice", async () => {
    const answers = () => replies().filter((t) => !t.startsWith("ℹ️"));
    const say = async (text: string, n: number) => {
      await deliver(bot.id, bot.secret, textUpdate(text, { userId: 7020 }));
      await vi.waitFor(() => expect(answers()).toHaveLength(n), { timeout: 15_000, interval: 20 });
    };
    await say("s1", 1);
    await say("s2", 2);
    ai.queue("openai", { status: 200 }, { status: 500 });
    ai.queue("gemini", { status: 500 });
    await say("s3", 3);
    await vi.waitFor(() => expect(ai.calls).toHaveLength(5), { timeout: 15_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(replies()).toHaveLength(3);
    await say("s4", 4);
    expect(openaiTurns(ai.calls[5] as never).slice(1)).toEqual([
      ["user", "s2"],
      ["assistant", "openai says: s2"],
      ["user", "s3"],
      ["assistant", "openai says: s3"],
      ["user", "s4"],
    ]);
  });

  it("stops answering a user whose daily quota is spent, with a clear message", async () => {
    await settings({ ai_daily_quota: 2 });
    for (let i = 1; i <= 2; i++) {
      await deliver(bot.id, bot.secret, textUpdate(`q${i}`, { userId: 7006 }));
      await waitForReplies(i);
    }
    await deliver(bot.id, bot.secret, textUpdate("q3", { userId: 7006 }));
    await waitForReplies(3);
    expect(replies()[2]).toMatch(/used all 2 AI replies for today/);
    expect(ai.calls).toHaveLength(2);
    // Another user still has their own quota.
    await deliver(bot.id, bot.secret, textUpdate("hi", { userId: 7007 }));
    await waitForReplies(4);
    expect(replies()[3]).toBe("openai says: hi");
    await settings({ ai_daily_quota: 100 });
  });

  it("in groups answers only when mentioned or replied to", async () => {
    const group = -100_777;
    await deliver(bot.id, bot.secret, textUpdate("just chatting", { userId: 7008, chatId: group }));
    const mention = textUpdate("@ai_test_bot what time is it?", { userId: 7008, chatId: group });
    Object.assign(mention.message, { entities: [{ type: "mention", offset: 0, length: 12 }] });
    await deliver(bot.id, bot.secret, mention);
    await waitForReplies(1);
    expect(ai.calls).toHaveLength(1);
    // The mention is taken out, the speaker named.
    expect(openaiTurns(ai.calls[0] as never).at(-1)).toEqual(["user", "Test: what time is it?"]);

    const reply = textUpdate("and tomorrow?", { userId: 7008, chatId: group });
    Object.assign(reply.message, {
      reply_to_message: {
        message_id: 1,
        date: 1,
        chat: { id: group, type: "supergroup", title: "G" },
        from: { id: 8301, is_bot: true, first_name: "Bot", username: "ai_test_bot" },
        text: "x",
      },
    });
    await deliver(bot.id, bot.secret, reply);
    await waitForReplies(2);
    expect(ai.calls).toHaveLength(2);
    expect(fake.callsOf("sendMessage").every((c) => c.params.chat_id === group)).toBe(true);
  });

  it("keeps one reply in flight per chat: a second message waits, never races", async () => {
    ai.queue("openai", { status: 200, delayMs: 300 });
    await deliver(bot.id, bot.secret, textUpdate("first", { userId: 7009 }));
    await deliver(bot.id, bot.secret, textUpdate("second", { userId: 7009 }));
    await waitForReplies(2);
    expect(ai.maxInFlight).toBe(1);
    expect(replies()).toEqual(["openai says: first", "openai says: second"]);
    // The second request already saw the first exchange.
    expect(openaiTurns(ai.calls[1] as never).slice(1, 3)).toEqual([
      ["user", "first"],
      ["assistant", "openai says: first"],
    ]);
  });

  it("splits a reply longer than 4096 characters", async () => {
    ai.queue("openai", { status: 200, body: `${"word ".repeat(1000)}\n\n${"more ".repeat(300)}` });
    await deliver(bot.id, bot.secret, textUpdate("tell me everything", { userId: 7011 }));
    await waitForReplies(2);
    expect(replies().every((t) => t.length <= 4096)).toBe(true);
    expect(replies().join("").replace(/\s/g, "").length).toBe(1300 * 4);
  });

  it("uses the bot's provider order", async () => {
    await settings({ ai_providers: ["gemini", "openai"], gemini_model: "gemini-test-model" });
    await deliver(bot.id, bot.secret, textUpdate("gemini first", { userId: 7012 }));
    await waitForReplies(1);
    expect(ai.calls.map((c) => c.provider)).toEqual(["gemini"]);
    expect(ai.calls[0]?.url).toContain("/models/gemini-test-model:streamGenerateContent");
    await settings({ ai_providers: ["openai", "gemini"] });
  });

  it("says nothing while the bot's AI is off", async () => {
    await settings({ ai_enabled: false });
    await deliver(bot.id, bot.secret, textUpdate("hello?", { userId: 7010 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(ai.calls).toHaveLength(0);
    expect(replies()).toHaveLength(0);
    await settings({ ai_enabled: true });
  });
});
