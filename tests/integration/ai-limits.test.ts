// AI that one person cannot exhaust: the per-chat queue is bounded (and stored one row per
// message, not in one growing value), the merged prompt is bounded, limits count requests
// and tokens per user, chat and bot (day and month), an optional group allowlist, and one
// clear message per limit and period instead of silence or a reply to every message.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AiJob } from "../../src/ai/job";
import { MAX_PROMPT_CHARS, mergePrompt } from "../../src/ai/reply";
import { chatsWithWork, enqueue, MAX_PENDING_PER_CHAT, nextBatch, queueStats, removeJobs } from "../../src/coordinator/ai-queue";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { FakeAi, openaiTurns } from "./ai-support";
import { stubFor, withInstance } from "./coordinator-support";
import { createStaffAccount, form, login, page } from "./dashboard-login";
import { count, deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const ai = new FakeAi(fake);
let bot: TestBot;

const sent = () => fake.callsOf("sendMessage").map((c) => ({ chat: Number(c.params.chat_id), text: String(c.params.text) }));
const waitForSends = (n: number) => vi.waitFor(() => expect(sent()).toHaveLength(n), { timeout: 5000, interval: 20 });
const settings = async (body: Record<string, unknown>) => {
  const res = await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
};
/** Waits until the coordinator's queue is empty (every queued job answered or refused). */
const settled = () =>
  vi.waitFor(async () => expect((await withInstance(stubFor(bot.id), (_i, s) => queueStats(s.storage))).waiting).toBe(0), {
    timeout: 5000,
    interval: 20,
  });

let nextUpdate = 900_000;
function job(chatId: number, userId: number, text: string, extra: Partial<AiJob> = {}): AiJob {
  const updateId = nextUpdate++;
  return {
    botId: bot.id,
    updateId,
    chatId,
    chatType: chatId > 0 ? "private" : "supergroup",
    messageId: updateId,
    userId,
    userName: "U",
    text,
    ...extra,
  };
}
function mention(text: string, userId: number, chatId: number) {
  const u = textUpdate(`@ai_limit_bot ${text}`, { userId, chatId });
  Object.assign(u.message, { entities: [{ type: "mention", offset: 0, length: 13 }] });
  return u;
}

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8302, "ai_limit_bot");
  await settings({ ai_enabled: true, ai_daily_quota: 100, ai_memory_messages: 0 });
});
afterEach(async () => {
  await settled();
  fake.reset();
  ai.reset();
  await settings({ ai_limits: null, ai_group_allowlist: null, ai_providers: ["openai", "gemini"] });
  await env.DB.batch([
    env.DB.prepare("DELETE FROM ai_usage_totals WHERE bot_id = ?").bind(bot.id),
    env.DB.prepare("DELETE FROM ai_limit_notices WHERE bot_id = ?").bind(bot.id),
  ]);
});
afterAll(() => fake.close());

describe("the AI queue", () => {
  it("holds at most MAX_PENDING_PER_CHAT messages per chat; the newest beyond are dropped and counted", async () => {
    const stats = await withInstance(stubFor(bot.id), async (_i, state) => {
      const s = state.storage;
      const before = (await queueStats(s)).dropped;
      const results: boolean[] = [];
      for (let i = 0; i < MAX_PENDING_PER_CHAT + 5; i++) results.push(await enqueue(s, job(55_001, 55_001, `m${i}`)));
      // Another chat has its own room.
      results.push(await enqueue(s, job(55_002, 55_002, "other chat")));
      const batch = await nextBatch(s, 55_001);
      const chats = await chatsWithWork(s);
      const after = await queueStats(s);
      await removeJobs(s, 55_001, batch);
      await removeJobs(s, 55_002, await nextBatch(s, 55_002));
      // Nothing is kept in one storage value any more.
      const legacy = await s.get("aiq");
      return {
        results,
        batch: batch.map((j) => j.text),
        chats,
        dropped: after.dropped - before,
        legacy,
        left: (await queueStats(s)).waiting,
      };
    });
    expect(stats.results.filter(Boolean)).toHaveLength(MAX_PENDING_PER_CHAT + 1);
    expect(stats.results.slice(MAX_PENDING_PER_CHAT, MAX_PENDING_PER_CHAT + 5)).toEqual([false, false, false, false, false]);
    expect(stats.batch).toEqual(Array.from({ length: MAX_PENDING_PER_CHAT }, (_, i) => `m${i}`));
    expect(stats.chats).toEqual(expect.arrayContaining([55_001, 55_002]));
    expect(stats.dropped).toBe(5);
    expect(stats.legacy).toBeUndefined();
    expect(stats.left).toBe(0);
  });

  it("still dedupes by update_id, and takes over a queue stored by the first version", async () => {
    const r = await withInstance(stubFor(bot.id), async (_i, state) => {
      const s = state.storage;
      const j = job(55_003, 55_003, "once");
      const first = await enqueue(s, j);
      const again = await enqueue(s, { ...j });
      await removeJobs(s, 55_003, await nextBatch(s, 55_003));
      // A fresh object over storage the old code wrote: one map value and one id array.
      const old = job(55_004, 55_004, "from the old queue");
      const fresh = { ...s, sql: s.sql, get: s.get.bind(s), put: s.put.bind(s), delete: s.delete.bind(s) } as DurableObjectStorage;
      await s.put({ aiq: { [old.chatId]: [old] }, aiseen: [old.updateId] });
      const chats = await chatsWithWork(fresh);
      const batch = await nextBatch(fresh, old.chatId);
      const redelivered = await enqueue(fresh, { ...old });
      await removeJobs(fresh, old.chatId, batch);
      return { first, again, chats, batch: batch.map((b) => b.text), redelivered, gone: (await s.get("aiq")) === undefined };
    });
    expect(r).toMatchObject({ first: true, again: false, batch: ["from the old queue"], redelivered: false, gone: true });
    expect(r.chats).toContain(55_004);
  });

  it("bounds the merged prompt of a flood of messages", async () => {
    const chat = 55_005;
    // 19 long messages wait (as if sent while a reply was in flight), the 20th arrives normally.
    await withInstance(stubFor(bot.id), async (_i, state) => {
      for (let i = 0; i < 19; i++) await enqueue(state.storage, job(chat, chat, `${i}:${"x".repeat(3990)}`));
    });
    await deliver(bot.id, bot.secret, textUpdate("and the last one", { userId: chat }));
    await waitForSends(1);
    expect(ai.calls).toHaveLength(1);
    const prompt = openaiTurns(ai.calls[0] as never).at(-1)?.[1] ?? "";
    expect(prompt.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS + 40);
    expect(prompt.startsWith("[earlier messages omitted]")).toBe(true);
    expect(prompt.endsWith("and the last one")).toBe(true);
  });

  it("mergePrompt keeps the newest messages that fit and cuts a single huge one", () => {
    const jobs = [job(1, 1, "a".repeat(10)), job(1, 1, "b".repeat(10))];
    expect(mergePrompt(jobs, false, 100)).toBe(`${"a".repeat(10)}\n${"b".repeat(10)}`);
    expect(mergePrompt(jobs, false, 15)).toBe(`[earlier messages omitted]\n${"b".repeat(10)}`);
    expect(mergePrompt([job(1, 1, "c".repeat(50))], false, 20)).toBe("c".repeat(20));
  });
});

describe("AI limits", () => {
  it("counts tokens per user per day (OpenAI's total_tokens), and tells the user once", async () => {
    await settings({ ai_limits: { user: { day: { tokens: 20 } } } });
    const user = 56_001;
    await deliver(bot.id, bot.secret, textUpdate("one", { userId: user }));
    await waitForSends(1);
    await deliver(bot.id, bot.secret, textUpdate("two", { userId: user }));
    await waitForSends(2);
    // 2 × 15 tokens ≥ 20: the third is refused with one clear message, the fourth in silence.
    await deliver(bot.id, bot.secret, textUpdate("three", { userId: user }));
    await waitForSends(3);
    expect(sent()[2]?.text).toBe(
      "You have used all 20 AI tokens allowed today. The limit resets at 00:00 UTC; until then I will not answer with AI.",
    );
    await deliver(bot.id, bot.secret, textUpdate("four", { userId: user }));
    await settled();
    expect(sent()).toHaveLength(3);
    expect(ai.calls).toHaveLength(2);
    const totals = await env.DB.prepare(
      "SELECT scope, period, requests, tokens FROM ai_usage_totals WHERE bot_id = ? ORDER BY scope, period",
    )
      .bind(bot.id)
      .all();
    const day = new Date().toISOString().slice(0, 10);
    expect(totals.results).toEqual(
      expect.arrayContaining([
        { scope: "user", period: day, requests: 2, tokens: 30 },
        { scope: "user", period: day.slice(0, 7), requests: 2, tokens: 30 },
        { scope: "chat", period: day, requests: 2, tokens: 30 },
        { scope: "bot", period: day.slice(0, 7), requests: 2, tokens: 30 },
      ]),
    );
    // Another user is not affected by this user's limit.
    await deliver(bot.id, bot.secret, textUpdate("hello", { userId: 56_002 }));
    await waitForSends(4);
    expect(sent()[3]?.text).toBe("openai says: hello");
  });

  it("counts Gemini's totalTokenCount, per user per month", async () => {
    await settings({ ai_providers: ["gemini"], ai_limits: { user: { month: { tokens: 10 } } } });
    const user = 56_003;
    await deliver(bot.id, bot.secret, textUpdate("g1", { userId: user }));
    await waitForSends(1);
    await deliver(bot.id, bot.secret, textUpdate("g2", { userId: user }));
    await waitForSends(2);
    expect(sent()[1]?.text).toMatch(/^You have used all 10 AI tokens allowed this month\. The limit resets on the 1st of next month/);
    expect(ai.of("gemini")).toHaveLength(1);
    expect(
      await count(
        "SELECT tokens AS n FROM ai_usage_totals WHERE bot_id = ? AND scope = 'user' AND subject_id = ? AND length(period) = 7",
        bot.id,
        user,
      ),
    ).toBe(10);
  });

  it("a chat's request limit stops every member, each told once", async () => {
    await settings({ ai_limits: { chat: { day: { requests: 1 } } } });
    const group = -100_560;
    await deliver(bot.id, bot.secret, mention("first", 56_010, group));
    await waitForSends(1);
    expect(sent()[0]?.text).toBe("openai says: Test: first");
    await deliver(bot.id, bot.secret, mention("second", 56_011, group));
    await waitForSends(2);
    expect(sent()[1]?.text).toMatch(/^This chat has used all 1 AI replies allowed today/);
    await deliver(bot.id, bot.secret, mention("again", 56_011, group));
    await deliver(bot.id, bot.secret, mention("me too", 56_012, group));
    await waitForSends(3);
    await settled();
    expect(sent()).toHaveLength(3);
    expect(sent()[2]?.text).toMatch(/^This chat has used all 1 AI replies/);
    expect(ai.calls).toHaveLength(1);
    // Another chat still gets answers.
    await deliver(bot.id, bot.secret, textUpdate("private hi", { userId: 56_013 }));
    await waitForSends(4);
    expect(sent()[3]?.text).toBe("openai says: private hi");
  });

  it("the bot's monthly token limit stops everyone", async () => {
    await settings({ ai_limits: { bot: { month: { tokens: 1 } } } });
    await deliver(bot.id, bot.secret, textUpdate("spend it", { userId: 56_020 }));
    await waitForSends(1);
    await deliver(bot.id, bot.secret, textUpdate("anyone?", { userId: 56_021 }));
    await waitForSends(2);
    expect(sent()[1]?.text).toMatch(/^This bot has used all 1 AI tokens allowed this month/);
    expect(ai.calls).toHaveLength(1);
  });

  it("the old daily request quota (ai_daily_quota) is the user's daily request limit, told once", async () => {
    await settings({ ai_daily_quota: 1 });
    const user = 56_030;
    await deliver(bot.id, bot.secret, textUpdate("q1", { userId: user }));
    await waitForSends(1);
    await deliver(bot.id, bot.secret, textUpdate("q2", { userId: user }));
    await waitForSends(2);
    expect(sent()[1]?.text).toMatch(/used all 1 AI replies for today/);
    await deliver(bot.id, bot.secret, textUpdate("q3", { userId: user }));
    await settled();
    expect(sent()).toHaveLength(2);
    await settings({ ai_daily_quota: 100 });
  });

  it("validates the settings", async () => {
    const bad = async (body: Record<string, unknown>) => (await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body })).status;
    expect(await bad({ ai_limits: { user: { day: { tokens: -1 } } } })).toBe(400);
    expect(await bad({ ai_limits: { team: { day: { tokens: 1 } } } })).toBe(400);
    expect(await bad({ ai_limits: { user: { week: { tokens: 1 } } } })).toBe(400);
    expect(await bad({ ai_group_allowlist: [12345] })).toBe(400);
    const ok = await apiJson<{ ai_limits: unknown; ai_group_allowlist: unknown }>(`/api/bots/${bot.id}`, {
      method: "PATCH",
      body: { ai_limits: { chat: { month: { requests: 7 } } }, ai_group_allowlist: [-1001, -1001, -1002] },
    });
    expect(ok.body).toMatchObject({ ai_limits: { chat: { month: { requests: 7 } } }, ai_group_allowlist: [-1001, -1002] });
  });
});

describe("the group allowlist", () => {
  it("without one the AI answers in any group; with one only in the listed groups (private chats always)", async () => {
    await deliver(bot.id, bot.secret, mention("anywhere?", 56_040, -100_571));
    await waitForSends(1);
    await settings({ ai_group_allowlist: [-100_572] });
    await deliver(bot.id, bot.secret, mention("not listed", 56_040, -100_571));
    await deliver(bot.id, bot.secret, mention("listed", 56_040, -100_572));
    await waitForSends(2);
    await deliver(bot.id, bot.secret, textUpdate("private", { userId: 56_040 }));
    await waitForSends(3);
    await settled();
    expect(sent().map((s) => s.chat)).toEqual([-100_571, -100_572, 56_040]);
    expect(ai.calls).toHaveLength(3);
  });
});

describe("the AI settings page", () => {
  it("shows the effective limits and saves limits and the allowlist", async () => {
    await createStaffAccount("ai-limits-admin", "ai-limits-password", "admin");
    const s = await login("ai-limits-admin", "ai-limits-password");
    const html = await (await page("/admin/ai/", { cookie: s.cookie })).text();
    expect(html).toMatch(/name="lim_chat_day_tokens" type="number" min="0" value="250000"/);
    expect(html).not.toContain('name="lim_user_day_requests"');
    const post = (fields: Record<string, string>) =>
      page(`/admin/ai/${bot.id}`, {
        method: "POST",
        cookie: s.cookie,
        ...form({
          _csrf: s.csrf,
          ai_enabled: "1",
          ai_providers: "openai,gemini",
          openai_model: "gpt-4o-mini",
          gemini_model: "gemini-2.5-flash",
          ai_memory_messages: "0",
          ai_daily_quota: "100",
          ...fields,
        }),
      });
    const ok = await post({ ai_group_allowlist: "-1001, -1002", lim_chat_day_tokens: "123", lim_bot_month_requests: "0" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toContain("ok=");
    const row = await env.DB.prepare("SELECT ai_limits, ai_group_allowlist FROM bots WHERE id = ?")
      .bind(bot.id)
      .first<Record<string, string>>();
    expect(JSON.parse(row?.ai_limits ?? "null")).toEqual({ chat: { day: { tokens: 123 } }, bot: { month: { requests: 0 } } });
    expect(JSON.parse(row?.ai_group_allowlist ?? "null")).toEqual([-1001, -1002]);
    const bad = await post({ ai_group_allowlist: "-1001, abc" });
    expect(new URL(bad.headers.get("location") ?? "", "https://x").searchParams.get("error")).toContain('"abc" is not a group chat id');
    // An empty allowlist field means every group again.
    await post({ ai_group_allowlist: "" });
    expect(
      (await env.DB.prepare("SELECT ai_group_allowlist AS a FROM bots WHERE id = ?").bind(bot.id).first<{ a: string | null }>())?.a,
    ).toBeNull();
  });
});
