// The exactly-once ledger (processed_updates): one row per (bot, update_id).
//
// A delivery claims the row with one atomic INSERT ... ON CONFLICT: a new row, or a
// row whose earlier attempt crashed (status processing, lease expired), is taken over;
// a row that is done, or processing under a live lease, is not. `effects` records what
// was already done (stored rows, replies sent) so a retry skips it.
import { sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import type { Db } from "../../env";
import { stmt } from "./d1";

/** How long a claim protects an attempt before a redelivery may take it over. */
export const LEASE_SECONDS = 30;

export interface Effects {
  /** The store batch committed (rows and rollups written). */
  stored?: boolean;
  /** Replies and other Bot API calls already made, by key (e.g. "reply:0"). */
  sent?: Record<string, unknown>;
  [k: string]: unknown;
}

export type Claim =
  | { owned: true; attempts: number; effects: Effects }
  | { owned: false; status: "done" | "processing"; leaseUntil: number };

export async function claim(db: Db, botId: number, updateId: number, updateType: string): Promise<Claim> {
  const now = nowSeconds();
  const rows = await db.all<{ attempts: number; effects: string | null }>(sql`
    INSERT INTO processed_updates (bot_id, update_id, status, lease_until, attempts, update_type, received_at)
    VALUES (${botId}, ${updateId}, 'processing', ${now + LEASE_SECONDS}, 1, ${updateType}, ${now})
    ON CONFLICT (bot_id, update_id) DO UPDATE SET
      attempts = processed_updates.attempts + 1,
      lease_until = excluded.lease_until
    WHERE processed_updates.status = 'processing' AND processed_updates.lease_until < ${now}
    RETURNING attempts, effects`);
  const row = rows[0];
  if (row) return { owned: true, attempts: row.attempts, effects: parseEffects(row.effects) };
  const current = await db.get<{ status: string; lease_until: number } | undefined>(
    sql`SELECT status, lease_until FROM processed_updates WHERE bot_id = ${botId} AND update_id = ${updateId}`,
  );
  // The row vanished between the two statements (bot deleted): treat as in progress; a redelivery settles it.
  if (!current) return { owned: false, status: "processing", leaseUntil: now };
  return { owned: false, status: current.status === "done" ? "done" : "processing", leaseUntil: current.lease_until };
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

/** A statement (for a batch) that marks the update's rows as stored. */
export function markStoredStmt(db: Db, botId: number, updateId: number) {
  return stmt(
    db,
    sql`
    UPDATE processed_updates SET effects = json_set(coalesce(effects, '{}'), '$.stored', json('true'))
    WHERE bot_id = ${botId} AND update_id = ${updateId}`,
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

export async function markDone(db: Db, botId: number, updateId: number): Promise<void> {
  await db.run(sql`
    UPDATE processed_updates SET status = 'done', done_at = ${nowSeconds()}, lease_until = 0
    WHERE bot_id = ${botId} AND update_id = ${updateId}`);
}

/** After a failure of ours: let the redelivery take over at once instead of waiting out the lease. */
export async function releaseLease(db: Db, botId: number, updateId: number): Promise<void> {
  await db.run(sql`
    UPDATE processed_updates SET lease_until = 0
    WHERE bot_id = ${botId} AND update_id = ${updateId} AND status = 'processing'`);
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

/** A statement that adds `by` to one of the bot's counters (bot_counters). */
export function bumpCounterStmt(db: Db, botId: number, name: string, by = 1) {
  return stmt(
    db,
    sql`
    INSERT INTO bot_counters (bot_id, name, value, updated_at) VALUES (${botId}, ${name}, ${by}, ${nowSeconds()})
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
