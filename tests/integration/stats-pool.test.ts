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

  it("paces call starts when asked to", async () => {
    const meter = new CallMeter({ budget: 100, maxCallsPerSecond: 100, fetch: fakeFetch });
    const client = createTelegramClient({ token: "1:x", baseUrl: "https://telegram.test", fetch: meter.fetch });
    const started = Date.now();
    await collectMany(client, meter, targets.slice(0, 5), BOT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // 15 calls at 10 ms intervals
  });
});
