// The figures the JSON API, the dashboard and the CSV must agree on, written once: totals by
// chat type over the bot's current chats (a migrated group's old row left out), and which
// of those chats' latest collection failed.
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { type ChatType, chatStats, chats } from "../db/schema";
import type { Db } from "../env";
import { currentChats } from "./store";
import type { BotChatsStatsAnswer, TypeTotals } from "./types";

export type ChatTotals = BotChatsStatsAnswer["totals"];

/** Current chats whose latest stored collection has an error (join chats to chat_stats). */
export const failedChats = (botId: number) => and(currentChats(botId), isNotNull(chatStats.error));

export async function chatTotals(db: Db, botId: number): Promise<ChatTotals> {
  const rows = await db
    .select({
      type: chats.type,
      chats: sql<number>`count(*)`,
      members: sql<number>`coalesce(sum(${chatStats.memberCount}), 0)`,
      errors: sql<number>`sum(case when ${chatStats.error} is not null then 1 else 0 end)`,
      collected: sql<number>`count(${chatStats.collectedAt})`,
      latest: sql<number | null>`max(${chatStats.collectedAt})`,
    })
    .from(chats)
    .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
    .where(currentChats(botId))
    .groupBy(chats.type)
    .all();
  const byType: Record<ChatType, TypeTotals> = {
    channel: { chats: 0, members: 0, collected_chats: 0 },
    supergroup: { chats: 0, members: 0, collected_chats: 0 },
    group: { chats: 0, members: 0, collected_chats: 0 },
    private: { chats: 0, members: 0, collected_chats: 0 },
  };
  let errors = 0;
  let collected = 0;
  let latest: number | null = null;
  for (const r of rows) {
    byType[r.type] = { chats: Number(r.chats), members: Number(r.members), collected_chats: Number(r.collected) };
    errors += Number(r.errors ?? 0);
    // Private chats are not collected: they say nothing about whether members are known.
    if (r.type !== "private") {
      collected += Number(r.collected);
      if (r.latest !== null) latest = Math.max(latest ?? 0, Number(r.latest));
    }
  }
  const all = Object.values(byType);
  return {
    chats: all.reduce((n, t) => n + t.chats, 0),
    members: all.reduce((n, t) => n + t.members, 0),
    by_type: byType,
    errors,
    collected_chats: collected,
    collected_at: latest,
  };
}
