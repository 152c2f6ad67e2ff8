// Collector benchmark: N chats against a fake Bot API with a fixed latency per call, through
// the same collectMany/CallMeter the Worker uses, at Workers' limit of 6 connections.
// The bound is calls x latency / concurrency: no collector can be faster at that concurrency.
//
// Two collections of the same chats, as in the Worker:
//   1. first: nothing known of the bot's role (a new bot, chats.bot_role empty);
//   2. steady state: each chat carries the role the first collection stored (saveResults writes
//      chats.bot_role, targetOf reads it back), as it also would from a my_chat_member update.
// Calls are counted by the fake Bot API itself (and checked against the meter's count).
import { CallMeter, MAX_CONCURRENCY } from "../../src/stats/call-meter";
import type { ChatTarget } from "../../src/stats/collect-chat";
import { collectMany } from "../../src/stats/collect-many";
import type { ChatStats } from "../../src/stats/types";
import { createTelegramClient } from "../../src/telegram/client";
import { BOT_ID, expectedCalls, type FakeApi, kindOf, startFakeBotApi } from "./fake-bot-api";
import { type Transport, transportFetch } from "./transport";

export interface CollectionRun {
  label: string;
  /** Counted by the fake Bot API. */
  calls: number;
  meterCalls: number;
  callsPerChat: number;
  expectedCalls: number;
  wallMs: number;
  boundMs: number;
  ratio: number;
  peakConnections: number;
  errors: number;
  /** Chats whose result carries the bot's role. */
  rolesKnown: number;
}

export interface CollectorBenchResult {
  chats: number;
  latencyMs: number;
  transport: Transport;
  first: CollectionRun;
  steady: CollectionRun;
}

export async function benchCollector(
  chats: number,
  latencyMs: number,
  opts: { transport?: Transport; fakeThread?: boolean; maxCallsPerSecond?: number } = {},
): Promise<CollectorBenchResult> {
  const transport = opts.transport ?? "http";
  const api = await startFakeBotApi(latencyMs, { thread: opts.fakeThread ?? true });
  const io = transportFetch(transport);
  try {
    const blank: ChatTarget[] = Array.from({ length: chats }, (_, i) => {
      const chatId = -1001000000000 - i;
      return { chatId, type: kindOf(chatId).type, title: null, username: null, firstSeenAt: null, botRole: null };
    });
    const run = (label: string, targets: ChatTarget[], expected: (t: ChatTarget) => number) =>
      collectOnce(api, io.fetch, label, targets, expected, latencyMs, opts.maxCallsPerSecond ?? 0);
    const first = await run("first collection (no role known)", blank, (t) => expectedCalls(t.chatId));
    // What saveResults stores in chats.bot_role and targetOf hands to the next collection.
    const stored = new Map(first.results.map((r) => [r.chat_id, r.bot_role]));
    const known = blank.map((t) => ({ ...t, botRole: stored.get(t.chatId) ?? null }));
    const steady = await run("steady state (roles as stored)", known, () => 3);
    return { chats, latencyMs, transport, first: first.run, steady: steady.run };
  } finally {
    io.close();
    await api.close();
  }
}

async function collectOnce(
  api: FakeApi,
  fetchImpl: typeof fetch,
  label: string,
  targets: ChatTarget[],
  expected: (t: ChatTarget) => number,
  latencyMs: number,
  maxCallsPerSecond: number,
): Promise<{ run: CollectionRun; results: ChatStats[] }> {
  const meter = new CallMeter({ budget: Number.MAX_SAFE_INTEGER, maxCallsPerSecond, fetch: fetchImpl });
  const client = createTelegramClient({ token: `${BOT_ID}:AAE${"x".repeat(32)}`, baseUrl: api.url, fetch: meter.fetch });
  const callsBefore = api.calls;
  api.resetPeak();
  const started = performance.now();
  const out = await collectMany(client, meter, targets, BOT_ID);
  const wallMs = performance.now() - started;
  const calls = api.calls - callsBefore;
  const boundMs = (calls * latencyMs) / MAX_CONCURRENCY;
  return {
    results: out.results,
    run: {
      label,
      calls,
      meterCalls: meter.calls,
      callsPerChat: calls / targets.length,
      expectedCalls: targets.reduce((n, t) => n + expected(t), 0),
      wallMs,
      boundMs,
      ratio: wallMs / boundMs,
      peakConnections: Math.max(meter.peakInFlight, api.peak),
      errors: out.results.filter((r) => r.error).length,
      rolesKnown: out.results.filter((r) => r.bot_role !== null).length,
    },
  };
}
