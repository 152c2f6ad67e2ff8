// The pool behind every bulk collection: never more than 6 connections at once, never past
// the call budget, chats taken in order so what was collected is a prefix (resumable).
import { describe, expect, it } from "vitest";
import { CallMeter } from "../../src/stats/call-meter";
import type { ChatTarget } from "../../src/stats/collect-chat";
import { collectMany } from "../../src/stats/collect-many";
import { createTelegramClient } from "../../src/telegram/client";

const BOT = 777;
const targets: ChatTarget[] = Array.from({ length: 20 }, (_, i) => ({
  chatId: -100 - i,
  type: "supergroup",
  title: null,
  username: null,
  firstSeenAt: null,
}));

// A Bot API answering after 5 ms; the bot is an administrator everywhere (3 calls per chat).
const fakeFetch: typeof fetch = async (input, init) => {
  const method = String(input).split("/").pop();
  const p = JSON.parse(String(init?.body ?? "{}")) as { chat_id: number };
  await new Promise((r) => setTimeout(r, 5));
  const result =
    method === "getChat"
      ? { id: p.chat_id, type: "supergroup", title: `T${p.chat_id}` }
      : method === "getChatMemberCount"
        ? 10
        : [{ user: { id: BOT, is_bot: true, first_name: "b" }, status: "administrator", is_anonymous: false }];
  return Response.json({ ok: true, result });
};

function setup(budget: number) {
  const meter = new CallMeter({ budget, maxCallsPerSecond: 0, fetch: fakeFetch });
  const client = createTelegramClient({ token: "1:x", baseUrl: "https://telegram.test", fetch: meter.fetch });
  return { meter, client };
}

describe("collectMany", () => {
  it("keeps at most 6 connections open and collects every chat in 3 calls", async () => {
    const { meter, client } = setup(1000);
    const out = await collectMany(client, meter, targets, BOT);
    expect(out.results).toHaveLength(20);
    expect(out.skipped).toHaveLength(0);
    expect(meter.calls).toBe(60);
    expect(meter.peakInFlight).toBe(6);
    expect(out.results.map((r) => r.chat_id)).toEqual(targets.map((t) => t.chatId));
  });

  it("stops before the budget could be exceeded; the collected chats are a prefix", async () => {
    const { meter, client } = setup(30); // worst case 4 calls per chat: at most 7 chats start
    const out = await collectMany(client, meter, targets, BOT, { concurrency: 2 });
    expect(meter.calls).toBeLessThanOrEqual(30);
    expect(out.results.length).toBeGreaterThanOrEqual(7);
    expect(out.results.map((r) => r.chat_id)).toEqual(targets.slice(0, out.results.length).map((t) => t.chatId));
    expect(out.skipped.map((t) => t.chatId)).toEqual(targets.slice(out.results.length).map((t) => t.chatId));
  });

  it("starts no further chat after a 429 the client could not wait out", async () => {
    const flooding: typeof fetch = async (input, init) => {
      const p = JSON.parse(String(init?.body ?? "{}")) as { chat_id: number };
      if (p.chat_id === targets[2]!.chatId) {
        return Response.json({
          ok: false,
          error_code: 429,
          description: "Too Many Requests: retry after 60",
          parameters: { retry_after: 60 },
        });
      }
      return fakeFetch(input, init);
    };
    const meter = new CallMeter({ budget: 1000, maxCallsPerSecond: 0, fetch: flooding });
    const client = createTelegramClient({ token: "1:x", baseUrl: "https://telegram.test", fetch: meter.fetch });
    const out = await collectMany(client, meter, targets, BOT, { concurrency: 1 });
    expect(out.results.map((r) => r.error?.kind ?? "ok")).toEqual(["ok", "ok", "rate_limited"]);
    expect(out.retryAfter).toBe(60);
    expect(out.skipped).toHaveLength(17);
  });

  it("sends a chat's member count and administrators reads together: 2 round trips for 3 calls", async () => {
    const spans: { method: string; start: number; end: number }[] = [];
    const timed: typeof fetch = async (input, init) => {
      const start = performance.now();
      const res = await fakeFetch(input, init);
      spans.push({ method: String(input).split("/").pop()!, start, end: performance.now() });
      return res;
    };
    const meter = new CallMeter({ budget: 10, maxCallsPerSecond: 0, fetch: timed });
    const client = createTelegramClient({ token: "1:x", baseUrl: "https://telegram.test", fetch: meter.fetch });
    const out = await collectMany(client, meter, targets.slice(0, 1), BOT);
    expect(out.results[0]).toMatchObject({ member_count: 10, bot_role: "administrator", error: null });
    const at = (m: string) => spans.find((x) => x.method === m)!;
    expect(at("getChatMemberCount").start).toBeGreaterThanOrEqual(at("getChat").end);
    // Overlapping: each started before the other ended.
    expect(at("getChatAdministrators").start).toBeLessThan(at("getChatMemberCount").end);
    expect(at("getChatMemberCount").start).toBeLessThan(at("getChatAdministrators").end);
  });

  it("the meter itself never opens more connections than its limit; waiting calls go first come, first served", async () => {
    const order: number[] = [];
    const meter = new CallMeter({ budget: 100, maxCallsPerSecond: 0, maxInFlight: 3, fetch: fakeFetch });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        meter.fetch("https://telegram.test/bot1:x/getChatMemberCount", { method: "POST", body: '{"chat_id":1}' }).then(() => order.push(i)),
      ),
    );
    expect(meter.calls).toBe(12);
    expect(meter.peakInFlight).toBe(3);
    expect(order.slice(0, 3).sort((a, b) => a - b)).toEqual([0, 1, 2]);
    expect(order.slice(9).sort((a, b) => a - b)).toEqual([9, 10, 11]);
  });

  it("near the budget, waits for running chats to finish before giving up on the next one", async () => {
    const { meter, client } = setup(30); // 3 calls per chat, 4 reserved: 9 chats (27 calls) fit
    const out = await collectMany(client, meter, targets, BOT);
    expect(out.results).toHaveLength(9);
    expect(meter.calls).toBe(27);
  });

  it("paces call starts when asked to", async () => {
    const meter = new CallMeter({ budget: 100, maxCallsPerSecond: 100, fetch: fakeFetch });
    const client = createTelegramClient({ token: "1:x", baseUrl: "https://telegram.test", fetch: meter.fetch });
    const started = Date.now();
    await collectMany(client, meter, targets.slice(0, 5), BOT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // 15 calls at 10 ms intervals
  });
});
