// Who a broadcast goes to: the chats of a bot in an audience, resolved to chat ids.
import { and, eq, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import { chats, tgUsers } from "../db/schema";
import type { Db } from "../env";

export const AUDIENCES = ["all", "private", "groups", "channels", "subscribers"] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Chats of the bot in an audience; chats the bot has left or was removed from are not included. */
export async function audienceChatIds(db: Db, botId: number, audience: Audience): Promise<number[]> {
  if (audience === "subscribers") {
    // Users who turned notifications on in /settings; their private chat id is their user id.
    const rows = await db
      .select({ id: tgUsers.userId })
      .from(tgUsers)
      .where(and(eq(tgUsers.botId, botId), eq(tgUsers.blockedBot, false), sql`json_extract(${tgUsers.preferences}, '$.notifications') = 1`))
      .all();
    return rows.map((r) => r.id);
  }
  const types = {
    all: ["private", "group", "supergroup", "channel"],
    private: ["private"],
    groups: ["group", "supergroup"],
    channels: ["channel"],
  }[audience] as ("private" | "group" | "supergroup" | "channel")[];
  const rows = await db
    .select({ id: chats.chatId })
    .from(chats)
    .where(
      and(
        eq(chats.botId, botId),
        inArray(chats.type, types),
        isNull(chats.migratedToChatId),
        or(isNull(chats.botRole), notInArray(chats.botRole, ["left", "kicked"])),
      ),
    )
    .all();
  return rows.map((r) => r.id);
}
