// Streamed AI answers end to end, with OpenAI and Gemini faked as server-sent event streams
// (chunk by chunk) and the Bot API faked: drafts in private chats, one message edited within
// the edit budget in groups, the final message exactly once, the fallbacks, /cancel and /retry.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EditBudget, GROUP_EDIT_GAP_MS, GROUP_EDITS_PER_MINUTE } from "../../src/ai/stream-out";
import type { BotCoordinator } from "../../src/coordinator/bot-coordinator";
import { apiJson } from "../helpers/api";
import { FakeTelegram, type RecordedCall } from "../helpers/fake-telegram";
import { FakeAi, openaiTurns } from "./ai-support";
import { stubFor, withInstance } from "./coordinator-support";
import { deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const ai = new FakeAi(fake);
let bot: TestBot;

/** The coordinator's clock runs SPEED times faster than real time, so the budgets show in short tests. */
const SPEED = 20;
/** When each Bot API call was made, on the coordinator's (fast) clock. */
const at = new Map<RecordedCall, number>();
let clockStart = 0;
const fastNow = () => clockStart + (Date.now() - clockStart) * SPEED;

const sends = () => fake.callsOf("sendMessage");
const idx = (c: RecordedCall | undefined) => (c ? fake.calls.indexOf(c) : -1);
const texts = (calls: RecordedCall[]) => calls.map((c) => String(c.params.text));
const waitFor = (fn: () => void, timeout = 8000) => vi.waitFor(fn, { timeout, interval: 20 });

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8501, "stream_test_bot");
  await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { ai_enabled: true, ai_daily_quota: 1000, ai_memory_messages: 20 } });
  clockStart = Date.now();
  await withInstance(stubFor(bot.id), (inst: BotCoordinator) => {
    inst.clock = { now: fastNow, sleep: (ms) => new Promise((r) => setTimeout(r, ms / SPEED)) };
  });
  // Stamp every Bot API call with the coordinator's time.
  for (const m of ["sendMessage", "sendMessageDraft", "editMessageText", "sendChatAction"]) {
    fake.on(m, (call) => {
      at.set(call, fastNow());
      return undefined;
    });
  }
});
afterEach(() => {
  const handlers = ["sendMessage", "sendMessageDraft", "editMessageText", "sendChatAction"];
  fake.reset();
  ai.reset();
  for (const m of handlers) {
    fake.on(m, (call) => {
      at.set(call, fastNow());
      return undefined;
    });
  }
});
afterAll(() => fake.close());

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);

describe("streamed answers in private chats", () => {
  it("streams OpenAI chunk by chunk as drafts, then sends the final message once", async () => {
    const chunks = ["Hello", ", this ", "is a ", "streamed ", "answer."];
    ai.queue("openai", { status: 200, chunks, chunkDelayMs: 80 });
    const u = textUpdate("stream please", { userId: 7601 });
    await deliver(bot.id, bot.secret, u);
    await waitFor(() => expect(sends()).toHaveLength(1));

    const drafts = fake.callsOf("sendMessageDraft");
    // 80 ms apart = 1.6 s on the coordinator's clock, past the 1 s between drafts: one per chunk.
    expect(texts(drafts)).toEqual([
      "Hello",
      "Hello, this",
      "Hello, this is a",
      "Hello, this is a streamed",
      "Hello, this is a streamed answer.",
    ]);
    expect(new Set(drafts.map((d) => d.params.draft_id)).size).toBe(1);
    expect(drafts.every((d) => d.params.chat_id === 7601)).toBe(true);
    expect(sends()[0]?.params).toMatchObject({ chat_id: 7601, text: "Hello, this is a streamed answer." });
    expect(sends()[0]?.params.reply_parameters).toMatchObject({ message_id: u.message.message_id });
    expect(idx(sends()[0])).toBeGreaterThan(idx(drafts.at(-1)));
    expect(ai.of("openai")[0]?.body.stream).toBe(true);
    // The typing indicator went out before the first text, and not after it.
    const typing = fake.callsOf("sendChatAction");
    expect(typing.length).toBeGreaterThanOrEqual(1);
    expect(typing.every((t) => idx(t) < idx(drafts[0]))).toBe(true);
  });

  it("keeps the typing indicator going (every ~4 s) until the first text arrives", async () => {
    ai.queue("openai", { status: 200, delayMs: 4600, chunks: ["late ", "answer"], chunkDelayMs: 60 });
    await deliver(bot.id, bot.secret, textUpdate("slow one", { userId: 7602 }));
    await waitFor(() => expect(sends()).toHaveLength(1), 12_000);
    const typing = fake.callsOf("sendChatAction");
    expect(typing.length).toBe(2);
    const firstDraft = fake.callsOf("sendMessageDraft")[0];
    expect(typing.every((t) => idx(t) < idx(firstDraft))).toBe(true);
    expect(texts(sends())).toEqual(["late answer"]);
  }, 20_000);

  it("streams Gemini (streamGenerateContent, SSE) the same way", async () => {
    await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { ai_providers: ["gemini", "openai"] } });
    ai.queue("gemini", { status: 200, chunks: ["Gem", "ini ", "streams"], chunkDelayMs: 80 });
    await deliver(bot.id, bot.secret, textUpdate("gemini?", { userId: 7603 }));
    await waitFor(() => expect(sends()).toHaveLength(1));
    await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { ai_providers: ["openai", "gemini"] } });
    expect(ai.calls.map((c) => c.provider)).toEqual(["gemini"]);
    expect(ai.calls[0]?.url).toContain(":streamGenerateContent");
    expect(texts(fake.callsOf("sendMessageDraft"))).toEqual(["Gem", "Gemini", "Gemini streams"]);
    expect(texts(sends())).toEqual(["Gemini streams"]);
  });

  it("falls back to the finished text when drafts are refused (400: method not found)", async () => {
    fake.queue("sendMessageDraft", { error_code: 400, description: "Bad Request: method not found" });
    ai.queue("openai", { status: 200, chunks: ["one ", "two ", "three"], chunkDelayMs: 80 });
    await deliver(bot.id, bot.secret, textUpdate("no drafts here", { userId: 7604 }));
    await waitFor(() => expect(sends()).toHaveLength(1));
    // One refused draft, then no more.
    expect(fake.callsOf("sendMessageDraft")).toHaveLength(1);
    expect(texts(sends())).toEqual(["one two three"]);
  });

  it("falls back to the finished text when the provider cannot stream", async () => {
    ai.queue(
      "openai",
      { status: 400, body: { error: { message: "stream is not supported for this model", type: "invalid_request_error" } } },
      { status: 200, body: "the finished text" },
    );
    await deliver(bot.id, bot.secret, textUpdate("no stream", { userId: 7605 }));
    await waitFor(() => expect(sends()).toHaveLength(1));
    expect(ai.of("openai").map((c) => c.body.stream === true)).toEqual([true, false]);
    expect(fake.callsOf("sendMessageDraft")).toHaveLength(0);
    expect(texts(sends())).toEqual(["the finished text"]);
  });

  it("/cancel stops the answer in flight: what was shown stays, marked (stopped)", async () => {
    ai.queue("openai", { status: 200, chunks: words(40), chunkDelayMs: 100 });
    await deliver(bot.id, bot.secret, textUpdate("a long story", { userId: 7606 }));
    await waitFor(() => expect(fake.callsOf("sendMessageDraft").length).toBeGreaterThanOrEqual(2));
    await deliver(bot.id, bot.secret, textUpdate("/cancel", { userId: 7606 }));
    await waitFor(() => expect(sends()).toHaveLength(1));
    const final = String(sends()[0]?.params.text);
    expect(final).toMatch(/^w0 w1 .*\(stopped\)$/);
    expect(final).not.toContain("w39");
    await new Promise((r) => setTimeout(r, 300));
    // Nothing more after the stop: no further drafts, one message.
    expect(sends()).toHaveLength(1);
    const lastDraft = fake.callsOf("sendMessageDraft").at(-1);
    expect(idx(lastDraft)).toBeLessThan(idx(sends()[0]));

    // With nothing in flight, /cancel says so.
    await deliver(bot.id, bot.secret, textUpdate("/cancel", { userId: 7606 }));
    await waitFor(() => expect(texts(sends()).at(-1)).toBe("There is no AI answer to stop."));
  });

  it("/retry asks the last question again, replacing the earlier exchange in memory", async () => {
    await deliver(bot.id, bot.secret, textUpdate("what is a monad?", { userId: 7607 }));
    await waitFor(() => expect(sends()).toHaveLength(1));
    ai.queue("openai", { status: 200, chunks: ["second ", "try"] });
    const r = textUpdate("/retry", { userId: 7607 });
    await deliver(bot.id, bot.secret, r);
    await waitFor(() => expect(sends()).toHaveLength(2));
    expect(openaiTurns(ai.calls[1] as never)).toEqual([
      ["system", expect.any(String)],
      ["user", "what is a monad?"],
    ]);
    expect(sends()[1]?.params).toMatchObject({ text: "second try", reply_parameters: { message_id: r.message.message_id } });

    // Someone with no earlier question is told so.
    await deliver(bot.id, bot.secret, textUpdate("/retry", { userId: 7608 }));
    await waitFor(() => expect(texts(sends()).at(-1)).toMatch(/no earlier question/));
  });
});

describe("streamed answers in groups", () => {
  const group = -100_8501;
  const mention = (text: string, userId: number) => {
    const u = textUpdate(`@stream_test_bot ${text}`, { userId, chatId: group });
    Object.assign(u.message, { entities: [{ type: "mention", offset: 0, length: 16 }] });
    return u;
  };

  it("edits one message within the edit budget, then one final edit with the full text", async () => {
    const chunks = words(16);
    ai.queue("openai", { status: 200, chunks, chunkDelayMs: 80 });
    await deliver(bot.id, bot.secret, mention("count for me", 7701));
    const full = chunks.join("").trim();
    await waitFor(() => expect(texts(fake.callsOf("editMessageText")).at(-1)).toBe(full));
    await new Promise((r) => setTimeout(r, 200));

    expect(fake.callsOf("sendMessageDraft")).toHaveLength(0);
    const [first] = sends();
    expect(sends()).toHaveLength(1);
    expect(String(first?.params.text)).toBe("w0");
    const edits = fake.callsOf("editMessageText");
    expect(new Set(edits.map((e) => e.params.message_id)).size).toBe(1);
    expect(edits.every((e) => e.params.chat_id === group)).toBe(true);
    // 16 chunks about 1.6 s apart (coordinator time): an edit at most every 3 s, so not one per chunk.
    const times = [first, ...edits].map((c) => at.get(c as RecordedCall) as number);
    // Stamped on arrival at the fake, where a call's own latency (the first one of each lane
    // builds its client) blurs single gaps; the count over the whole span is what the budget keeps:
    // one at most every GROUP_EDIT_GAP_MS (the final edit comes on top).
    const span = (times.at(-2) ?? 0) - (times[0] ?? 0);
    expect(times.length - 1).toBeLessThanOrEqual(Math.floor(span / GROUP_EDIT_GAP_MS) + 2);
    // Never more than the budget in any minute (the message itself counts too).
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(GROUP_EDITS_PER_MINUTE);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThan(chunks.length);
    expect(texts(edits).at(-1)).toBe(full);
  });

  it("an answer over 4096 characters: the final edit holds the first part, the rest follows as a message", async () => {
    const long = `${"word ".repeat(900)}\n\n${"more ".repeat(300)}`;
    ai.queue("openai", { status: 200, chunks: [long.slice(0, 2000), long.slice(2000)], chunkDelayMs: 200 });
    await deliver(bot.id, bot.secret, mention("tell me everything", 7702));
    await waitFor(() => expect(sends()).toHaveLength(2));
    const edits = fake.callsOf("editMessageText");
    expect(edits.length).toBeGreaterThanOrEqual(1);
    const shown = String(edits.at(-1)?.params.text) + String(sends()[1]?.params.text);
    expect(shown.replace(/\s/g, "")).toBe(long.replace(/\s/g, ""));
    expect(texts(sends()).every((t) => t.length <= 4096)).toBe(true);
  });

  it("without a stream the group gets one message with the finished text, and no edits", async () => {
    ai.queue("openai", { status: 400, body: { error: { message: "stream not supported" } } }, { status: 200, body: "finished" });
    await deliver(bot.id, bot.secret, mention("no stream", 7704));
    await waitFor(() => expect(sends()).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(sends())).toEqual(["finished"]);
    expect(fake.callsOf("editMessageText")).toHaveLength(0);
  });

  it("/cancel in a group stops only an answer to the one who asks it", async () => {
    ai.queue("openai", { status: 200, chunks: words(30), chunkDelayMs: 100 });
    await deliver(bot.id, bot.secret, mention("long one", 7705));
    await waitFor(() => expect(sends()).toHaveLength(1));
    await deliver(bot.id, bot.secret, textUpdate("/cancel", { userId: 7706, chatId: group }));
    await waitFor(() => expect(texts(sends()).at(-1)).toBe("Only the person it answers can stop this answer."));
    await deliver(bot.id, bot.secret, textUpdate("/cancel", { userId: 7705, chatId: group }));
    await waitFor(() => expect(String(fake.callsOf("editMessageText").at(-1)?.params.text)).toMatch(/\(stopped\)$/));
    expect(String(fake.callsOf("editMessageText").at(-1)?.params.text)).not.toContain("w29");
  });

  it("after a restart mid-stream the job finds its streamed message: no second message, one final edit", async () => {
    const updateId = 990_001;
    const earlier = { message_id: 4242, date: 1, chat: { id: group, type: "supergroup" }, text: "partial" };
    await withInstance(stubFor(bot.id), (_i, state) => {
      state.storage.sql.exec(
        "INSERT INTO journal (update_id, key, state, value, at) VALUES (?, 'ai:first:reply:0', 'sent', ?, ?)",
        updateId,
        JSON.stringify([earlier]),
        Date.now(),
      );
    });
    ai.queue("openai", { status: 200, chunks: ["the ", "whole ", "answer"], chunkDelayMs: 80 });
    await stubFor(bot.id).enqueueAi({
      botId: bot.id,
      updateId,
      chatId: group,
      chatType: "supergroup",
      messageId: 77,
      userId: 7703,
      userName: "Test",
      text: "again",
    });
    await waitFor(() => expect(texts(fake.callsOf("editMessageText")).at(-1)).toBe("the whole answer"));
    expect(sends()).toHaveLength(0);
    expect(fake.callsOf("editMessageText").every((e) => e.params.message_id === 4242)).toBe(true);
  });

  it("the edit budget: at most GROUP_EDITS_PER_MINUTE a minute per group, GROUP_EDIT_GAP_MS apart", () => {
    const b = new EditBudget();
    let t = 0;
    let taken = 0;
    for (; t < 60_000; t += 500) if (b.take(-1, t)) taken++;
    expect(taken).toBe(GROUP_EDITS_PER_MINUTE);
    expect(b.take(-1, 1000 * 60 - 1)).toBe(false);
    // Another group has its own budget; the gap holds within a group.
    expect(b.take(-2, 1000)).toBe(true);
    expect(b.take(-2, 1000 + GROUP_EDIT_GAP_MS - 1)).toBe(false);
    expect(b.take(-2, 1000 + GROUP_EDIT_GAP_MS)).toBe(true);
  });
});
