// Alarm-driven statistics collection for bots with more chats than one invocation covers.
// The bot's coordinator (Durable Object) calls collectStatsBatch on each alarm with the
// state it persisted after the previous batch. (Interface fixed here.)
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";

export interface StatsBatchState {
  /** Resume after this chat id (null: from the start). */
  cursor: number | null;
  collected: number;
  failed: number;
  total: number;
  startedAt: number;
}

export interface StatsBatchResult {
  state: StatsBatchState;
  done: boolean;
}

export async function collectStatsBatch(
  _deps: { env: Env; db: Db; log: Logger; bot: BotRow },
  _state: StatsBatchState | null,
): Promise<StatsBatchResult> {
  throw new Error("collectStatsBatch: not implemented yet");
}
