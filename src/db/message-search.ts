// Text search over stored messages reads a bounded window: the newest SEARCH_WINDOW messages
// that match the other filters. A `LIKE '%word%'` cannot use an index, so without the bound a
// word nobody wrote would read every message of the bot (seconds at a million rows).
import { desc, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { messages } from "./schema";

/** The most messages one text search reads (newest first). */
export const SEARCH_WINDOW = 10_000;

/**
 * The id of the oldest message in the window of messages matching `cond`, or undefined when
 * fewer than SEARCH_WINDOW match (the window is then all of them).
 */
export async function searchFloor(db: Db, cond: SQL | undefined): Promise<number | undefined> {
  const row = await db
    .select({ id: messages.id })
    .from(messages)
    .where(cond)
    .orderBy(desc(messages.id))
    .limit(1)
    .offset(SEARCH_WINDOW - 1)
    .get();
  return row?.id;
}
