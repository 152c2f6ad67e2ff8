// The exactly-once ledger (processed_updates): one row per (bot, update_id).
//
// A delivery claims the row with an atomic INSERT ... ON CONFLICT that writes a random
// claim token into `effects.claim`: a new row, or a row whose earlier attempt crashed
// (status processing, lease expired), is taken over; a row that is done, or processing
// under a live lease, is not. The claim is the first statement of the store batch, and
// every store statement after it is guarded by "this token holds the claim and nothing
// is stored yet", so claim + store + (often) done cost one atomic round trip, and a
// delivery that does not own the claim writes nothing. `effects` also records what was
// already done (stored rows, replies sent) so a retry skips it.
import { type SQL, sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import type { Db } from "../../env";
import { stmt } from "./d1";

/** How long a claim protects an attempt before a redelivery may take it over. */
export const LEASE_SECONDS = 30;

export interface Effects {
  /** The claim token of the attempt that holds (or last held) the update. */
  claim?: string;
  /** The store batch committed (rows and rollups written). */
  stored?: boolean;
  /** Replies and other Bot API calls already made, by key (e.g. "reply:0"). */
  sent?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The claim statement (first in the store batch). */
export function claimStmt(db: Db, botId: number, updateId: number, updateType: string, token: string, now = nowSeconds()) {
  return stmt(
    db,
    sql`
    INSERT INTO processed_updates (bot_id, update_id, status, lease_until, attempts, effects, update_type, received_at)
    VALUES (${botId}, ${updateId}, 'processing', ${now + LEASE_SECONDS}, 1, json_object('claim', ${token}), ${updateType}, ${now})
    ON CONFLICT (bot_id, update_id) DO UPDATE SET
      attempts = processed_updates.attempts + 1,
      lease_until = excluded.lease_until,
      effects = json_set(coalesce(processed_updates.effects, '{}'), '$.claim', ${token})
    WHERE processed_updates.status = 'processing' AND processed_updates.lease_until < ${now}`,
  );
}

/** True while this token holds the claim and no attempt has stored the update yet. */
export function storeGuard(botId: number, updateId: number, token: string): SQL {
  return sql`EXISTS (SELECT 1 FROM processed_updates WHERE bot_id = ${botId} AND update_id = ${updateId}
    AND status = 'processing' AND json_extract(effects, '$.claim') = ${token} AND json_extract(effects, '$.stored') IS NULL)`;
}

/**
 * The ledger row as this attempt sees it (last in the store batch), with the dialog session
 * for (chat, user) when asked for, read from D1 (the durable copy) in the same round trip.
 */
export function stateStmt(db: Db, botId: number, updateId: number, token: string, session?: { chatId: number; userId: number }) {
  const sessionData = session
    ? sql`(SELECT data FROM sessions WHERE bot_id = ${botId} AND chat_id = ${session.chatId} AND user_id = ${session.userId}
        AND expires_at > ${nowSeconds()})`
    : sql`NULL`;
  return stmt(
    db,
    sql`SELECT status, attempts, effects, (json_extract(effects, '$.claim') = ${token}) AS owned, ${sessionData} AS session_data
      FROM processed_updates WHERE bot_id = ${botId} AND update_id = ${updateId}`,
  );
}

export interface LedgerState {
  /** This attempt holds the claim (then status "done" means it finished inside the batch). */
  owned: boolean;
  status: "processing" | "done";
  attempts: number;
  effects: Effects;
  sessionData: string | null;
}

export function readState(row: unknown): LedgerState {
  const r = (row ?? {}) as { status?: string; attempts?: number; effects?: string | null; owned?: number; session_data?: string | null };
  return {
    owned: r.owned === 1,
    // No row at all (the bot was deleted meanwhile): treated as in progress; a redelivery settles it.
    status: r.status === "done" ? "done" : "processing",
    attempts: Number(r.attempts ?? 0),
    effects: parseEffects(r.effects ?? null),
    sessionData: r.session_data ?? null,
  };
}

function parseEffects(raw: string | null): Effects {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw);
    return v && typeof v === "object" ? (v as Effects) : {};
  } catch {
    return {};
  }
}

/**
 * Ends the store part of the batch, if this attempt holds the claim: marks the rows stored
 * and, when `doneIf` holds (nothing left to do after storing), the update done.
 */
export function finishStoreStmt(db: Db, botId: number, updateId: number, token: string, doneIf: SQL) {
  return stmt(
    db,
    sql`
    UPDATE processed_updates SET
      effects = json_set(coalesce(effects, '{}'), '$.stored', json('true')),
      status = CASE WHEN ${doneIf} THEN 'done' ELSE status END,
      done_at = CASE WHEN ${doneIf} THEN ${nowSeconds()} ELSE done_at END,
      lease_until = CASE WHEN ${doneIf} THEN 0 ELSE lease_until END
    WHERE bot_id = ${botId} AND update_id = ${updateId} AND status = 'processing' AND json_extract(effects, '$.claim') = ${token}`,
  );
}

/** SQL that records one side effect under effects.sent[key]. */
export function recordSentSql(botId: number, updateId: number, key: string, value: unknown) {
  return sql`
    UPDATE processed_updates
    SET effects = json_set(coalesce(effects, '{}'), '$.sent',
      json_set(coalesce(json_extract(effects, '$.sent'), '{}'), ${`$."${key}"`}, json(${JSON.stringify(value ?? null)})))
    WHERE bot_id = ${botId} AND update_id = ${updateId}`;
}

/** The same, as a statement for a batch. */
export function recordSentStmt(db: Db, botId: number, updateId: number, key: string, value: unknown) {
  return stmt(db, recordSentSql(botId, updateId, key, value));
}

/** Marks the update done, if this attempt still holds its claim (a slow attempt taken over does not). */
export function markDoneStmt(db: Db, botId: number, updateId: number, token: string) {
  return stmt(
    db,
    sql`
    UPDATE processed_updates SET status = 'done', done_at = ${nowSeconds()}, lease_until = 0
    WHERE bot_id = ${botId} AND update_id = ${updateId} AND json_extract(effects, '$.claim') = ${token}`,
  );
}

/** After a failure of ours: let the redelivery take over at once instead of waiting out the lease. */
export async function releaseLease(db: Db, botId: number, updateId: number, token: string): Promise<void> {
  await db.run(sql`
    UPDATE processed_updates SET lease_until = 0
    WHERE bot_id = ${botId} AND update_id = ${updateId} AND status = 'processing' AND json_extract(effects, '$.claim') = ${token}`);
}

/** Polls the ledger until the update is done or `timeoutMs` passes; answers whether it is done. */
export async function waitForDone(db: Db, botId: number, updateId: number, timeoutMs = 3000, stepMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.get<{ status: string } | undefined>(
      sql`SELECT status FROM processed_updates WHERE bot_id = ${botId} AND update_id = ${updateId}`,
    );
    if (row?.status === "done") return true;
    if (Date.now() + stepMs > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A statement that adds `by` to one of the bot's counters (bot_counters), when the guard holds. */
export function bumpCounterStmt(db: Db, botId: number, name: string, by = 1, guard: SQL = sql`1`) {
  return stmt(
    db,
    sql`
    INSERT INTO bot_counters (bot_id, name, value, updated_at) SELECT ${botId}, ${name}, ${by}, ${nowSeconds()} WHERE ${guard}
    ON CONFLICT (bot_id, name) DO UPDATE SET value = bot_counters.value + excluded.value, updated_at = excluded.updated_at`,
  );
}

/**
 * Deletes finished ledger rows older than `olderThanSeconds` (default 7 days; Telegram gives
 * up redelivering after about a day). For a periodic job; answers how many went.
 */
export async function pruneLedger(db: Db, olderThanSeconds = 7 * 24 * 3600): Promise<number> {
  const r = await db.run(sql`DELETE FROM processed_updates WHERE status = 'done' AND received_at < ${nowSeconds() - olderThanSeconds}`);
  return r.meta.changes ?? 0;
}
