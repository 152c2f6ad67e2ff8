// Message retention: with MESSAGE_RETENTION_DAYS set, the cron deletes stored messages
// (incoming and outgoing) older than that many days. The analytics rollups are kept, so
// charts and counts still cover the whole history; only the raw rows go. Unset or 0 keeps
// every message (D1's 10 GB holds ~15M messages at ~550-750 bytes each: see BENCHMARKS.md).
//
// Rows are taken oldest first by id, a bounded number per statement and per run, so one
// cron run never holds D1 for long and a backlog drains over a few runs.
import { sql } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import type { Db } from "../env";

/** Rows one statement deletes at most (each also costs its index entries). */
export const RETENTION_CHUNK = 5000;
/** Statements one cron run issues at most: 50,000 rows every 15 minutes is 4.8M a day. */
export const RETENTION_CHUNKS_PER_RUN = 10;

/** The retention period in days from the variable, or undefined to keep everything. */
export function retentionDays(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const days = Number(value);
  if (!Number.isFinite(days) || days <= 0) return undefined;
  return days;
}

/**
 * Deletes messages stored more than `days` days ago, oldest first; answers how many went.
 * Ids grow with storage time, so the oldest `chunk` rows by id are the only candidates:
 * each statement reads at most `chunk` rows, whatever the table's size.
 */
export async function pruneMessages(
  db: Db,
  days: number,
  opts: { chunk?: number; maxChunks?: number; now?: number } = {},
): Promise<number> {
  const chunk = opts.chunk ?? RETENTION_CHUNK;
  const cutoff = (opts.now ?? nowSeconds()) - Math.round(days * 24 * 3600);
  let deleted = 0;
  for (let i = 0; i < (opts.maxChunks ?? RETENTION_CHUNKS_PER_RUN); i++) {
    const r = await db.run(sql`
      DELETE FROM messages WHERE id IN (
        SELECT id FROM (SELECT id, created_at FROM messages ORDER BY id LIMIT ${chunk}) WHERE created_at < ${cutoff}
      )`);
    const n = r.meta.changes ?? 0;
    deleted += n;
    if (n < chunk) break;
  }
  return deleted;
}

/** Rows one statement of a bot's deletion removes at most. */
export const BOT_DELETE_CHUNK = 10_000;

/**
 * Deletes all of a bot's messages, oldest first in statements of `chunk` rows, so no single
 * statement runs long: D1 stops a query after 30 s, and one DELETE of a million messages with
 * their indexes took ~35 s locally. For a bot's deletion, before its row goes; answers how
 * many went. (D1 allows 1,000 queries per invocation on the paid plan: 10M messages.)
 */
export async function deleteBotMessages(db: Db, botId: number, chunk = BOT_DELETE_CHUNK): Promise<number> {
  let deleted = 0;
  for (;;) {
    const r = await db.run(sql`
      DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE bot_id = ${botId} ORDER BY id LIMIT ${chunk})`);
    const n = r.meta.changes ?? 0;
    deleted += n;
    if (n < chunk) return deleted;
  }
}
