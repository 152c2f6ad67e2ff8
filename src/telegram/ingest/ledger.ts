// The D1 side of exactly-once storing (processed_updates): one row per (bot, update_id),
// written by the group commit that stored the update (see group-commit.ts), under that
// commit's token. The coordinator's inbox is the truth about handling; these rows only
// make a repeated commit of the same updates write nothing twice.
import { sql } from "drizzle-orm";
import { nowSeconds } from "../../db/client";
import type { Db } from "../../env";

/**
 * Deletes ledger rows older than `olderThanSeconds` (default 7 days; Telegram gives up
 * redelivering after about a day, and the coordinator keeps its own dedupe as long). For a
 * periodic job; answers how many went.
 */
export async function pruneLedger(db: Db, olderThanSeconds = 7 * 24 * 3600): Promise<number> {
  const r = await db.run(sql`DELETE FROM processed_updates WHERE status = 'done' AND received_at < ${nowSeconds() - olderThanSeconds}`);
  return r.meta.changes ?? 0;
}
