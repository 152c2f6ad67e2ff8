// Update ingest: the one path every update takes, from the webhook or from polling.
// (Interface fixed here so polling and the webhook can be built side by side.)
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";

export interface IngestDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  /** For work that may finish after the answer (never for anything exactly-once depends on). */
  waitUntil?: (p: Promise<unknown>) => void;
}

export type IngestOutcome =
  /** Stored and handled now. */
  | { status: "processed"; updateId: number }
  /** Already handled earlier: a no-op. */
  | { status: "duplicate"; updateId: number }
  /** Another delivery of the same update is being handled right now. */
  | { status: "in_progress"; updateId: number };

/**
 * Stores the update exactly once and runs its handlers (commands, dialogs, AI offer).
 * Throws on a failure of ours; the caller answers 5xx (webhook) or retries (polling),
 * and a later attempt completes the work without repeating what was already done.
 * `update` must already be validated as an object with a numeric update_id.
 */
export async function ingestUpdate(_deps: IngestDeps, _update: { update_id: number } & Record<string, unknown>): Promise<IngestOutcome> {
  throw new Error("ingestUpdate: not implemented yet");
}
