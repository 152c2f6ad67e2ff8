// Many chats: 6 chats in progress at once, their calls sharing the meter's 6 connections
// (Workers' simultaneous-connection limit). Calls, not chats, wait for a free connection (a chat
// sends two of its reads together), and every chat in progress always has a call sent or queued,
// so no connection idles while chats remain. Six, not more, so that after a 429 the client cannot
// wait out at most five other chats are still running (see below).
// Chats are started in order and every started chat finishes, so what was collected is always
// a prefix of the list: the caller can resume after the last one (see batch.ts).
// Budget: a chat starts only when the calls made plus the worst case of every chat in progress
// plus its own worst case fit; when that does not fit yet, it waits for a chat to finish (its
// reservation becomes the calls it really made) and checks again; with nothing in progress, it stops.
// A 429 the client could not wait out (retry_after over its limit) means the bot is flood
// limited: that chat records the error and no further chat starts in this invocation.
import type { TelegramClient } from "../telegram/client";
import type { CallMeter } from "./call-meter";
import { MAX_CONCURRENCY } from "./call-meter";
import { blankStats, type ChatTarget, callsFor, classifyError, collectChat } from "./collect-chat";
import type { ChatStats } from "./types";

export interface CollectManyResult {
  results: ChatStats[];
  /** Targets not started because the budget would not cover them, or after a 429 (in order). */
  skipped: ChatTarget[];
  /** Set when Telegram asked to slow down beyond what the client waits: its retry_after (seconds). */
  retryAfter: number | null;
}

export async function collectMany(
  client: TelegramClient,
  meter: CallMeter,
  targets: ChatTarget[],
  botTgId: number,
  /** concurrency: chats in progress at once (default: the meter's connections, 6). */
  opts: { concurrency?: number; now?: () => number } = {},
): Promise<CollectManyResult> {
  const open = Math.max(1, Math.min(opts.concurrency ?? meter.maxInFlight, MAX_CONCURRENCY));
  const results: (ChatStats | undefined)[] = new Array(targets.length);
  const running = new Set<Promise<void>>();
  let next = 0;
  let reserved = 0;
  let retryAfter: number | null = null;

  const run = async (index: number, target: ChatTarget, cost: number) => {
    try {
      results[index] = await collectChat(client, target, botTgId, opts.now);
    } catch (err) {
      // classifyError rethrows what is not Telegram's; record it for this chat only.
      results[index] = failed(target, err, opts.now);
    } finally {
      reserved -= cost;
    }
    const error = results[index]?.error;
    if (error?.kind === "rate_limited") retryAfter = Math.max(retryAfter ?? 0, error.retry_after ?? 1);
  };

  while (retryAfter === null && next < targets.length) {
    const target = targets[next]!;
    const cost = callsFor(target.type);
    // Calls already made plus the worst case of the chats still running must leave room.
    const fits = meter.calls + reserved + cost <= meter.budget;
    if (!fits || running.size >= open) {
      if (running.size === 0) break; // nothing will free room: the budget is spent
      await Promise.race(running);
      continue;
    }
    const index = next++;
    reserved += cost;
    const p: Promise<void> = run(index, target, cost).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);

  const done = results.slice(0, next).filter((r): r is ChatStats => r !== undefined);
  return { results: done, skipped: targets.slice(next), retryAfter };
}

function failed(target: ChatTarget, err: unknown, now = () => Math.floor(Date.now() / 1000)): ChatStats {
  let error: ChatStats["error"];
  try {
    error = classifyError(err);
  } catch {
    error = { kind: "telegram_error", error_code: null, description: `internal: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { ...blankStats(target, now()), error };
}
