// content_items as /news and /games read them.
import { sql } from "drizzle-orm";
import type { Db } from "./client";

export interface ContentListRow {
  title: string;
  url: string | null;
  summary: string | null;
}

/** The latest items of a kind for this bot or all bots (bot_id null), newest first. */
export async function latestContentItems(db: Db, botId: number, kind: "news" | "game", limit: number): Promise<ContentListRow[]> {
  return db.all<ContentListRow>(sql`
    SELECT title, url, summary FROM content_items
    WHERE kind = ${kind} AND (bot_id IS NULL OR bot_id = ${botId})
    ORDER BY published_at DESC, id DESC LIMIT ${limit}`);
}
