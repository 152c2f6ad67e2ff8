// Collector benchmark: N chats against a fake Bot API with a fixed latency per call, through
// the same collectMany/CallMeter the Worker uses, at Workers' limit of 6 connections.
// The bound is calls x latency / concurrency: no collector can be faster at that concurrency.
import { CallMeter, MAX_CONCURRENCY } from "../../src/stats/call-meter";
import type { ChatTarget } from "../../src/stats/collect-chat";
import { collectMany } from "../../src/stats/collect-many";
import { createTelegramClient } from "../../src/telegram/client";
import { BOT_ID, expectedCalls, kindOf, startFakeBotApi } from "./fake-bot-api";

export interface CollectorBenchResult {
  chats: number;
  latencyMs: number;
  calls: number;
  callsPerChat: number;
  expectedCalls: number;
  wallMs: number;
  boundMs: number;
  ratio: number;
  peakConnections: number;
  errors: number;
}

export async function benchCollector(chats: number, latencyMs: number, maxCallsPerSecond = 0): Promise<CollectorBenchResult> {
  const api = await startFakeBotApi(latencyMs);
  try {
    const targets: ChatTarget[] = Array.from({ length: chats }, (_, i) => {
      const chatId = -1001000000000 - i;
      return { chatId, type: kindOf(chatId).type, title: null, username: null, firstSeenAt: null };
    });
    const meter = new CallMeter({ budget: Number.MAX_SAFE_INTEGER, maxCallsPerSecond });
    const client = createTelegramClient({ token: `${BOT_ID}:AAE${"x".repeat(32)}`, baseUrl: api.url, fetch: meter.fetch });
    const started = performance.now();
    const out = await collectMany(client, meter, targets, BOT_ID, { concurrency: MAX_CONCURRENCY });
    const wallMs = performance.now() - started;
    const boundMs = (meter.calls * latencyMs) / MAX_CONCURRENCY;
    return {
      chats,
      latencyMs,
      calls: meter.calls,
      callsPerChat: meter.calls / chats,
      expectedCalls: targets.reduce((n, t) => n + expectedCalls(t.chatId), 0),
      wallMs,
      boundMs,
      ratio: wallMs / boundMs,
      peakConnections: Math.max(meter.peakInFlight, api.peak),
      errors: out.results.filter((r) => r.error).length,
    };
  } finally {
    await api.close();
  }
}
