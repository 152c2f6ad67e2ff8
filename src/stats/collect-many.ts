// Many chats: a pool of at most 6 workers (Workers' simultaneous-connection limit), each
// collecting one chat at a time, that stops taking chats when the next one might not fit
// in the call budget. Chats are taken in order, so what was collected is always a prefix
// of the list: the caller can resume after the last one (see batch.ts).
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
  opts: { concurrency?: number; now?: () => number } = {},
): Promise<CollectManyResult> {
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? MAX_CONCURRENCY, MAX_CONCURRENCY));
  const results: (ChatStats | undefined)[] = new Array(targets.length);
  let next = 0;
  let reserved = 0;
  let stopped = false;
  let retryAfter: number | null = null;

  const worker = async () => {
    while (!stopped && next < targets.length) {
      const target = targets[next]!;
      const cost = callsFor(target.type);
      // Calls already made plus the worst case of the chats still running must leave room.
      if (meter.calls + reserved + cost > meter.budget) {
        stopped = true;
        return;
      }
      const index = next++;
      reserved += cost;
      try {
        results[index] = await collectChat(client, target, botTgId, opts.now);
      } catch (err) {
        // classifyError rethrows what is not Telegram's; record it for this chat only.
        results[index] = failed(target, err, opts.now);
      } finally {
        reserved -= cost;
      }
      const error = results[index]?.error;
      if (error?.kind === "rate_limited") {
        stopped = true;
        retryAfter = Math.max(retryAfter ?? 0, error.retry_after ?? 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));

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
