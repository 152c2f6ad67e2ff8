// Creating a broadcast: resolve the audience to chat ids, store the broadcast and one
// pending delivery per chat, and start a broadcast task on the bot's coordinator.
import { and, eq, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import { broadcastDeliveries, broadcasts, chats, tgUsers } from "../db/schema";
import type { Db, Env } from "../env";
import { AppError } from "../lib/errors";
import { reportCounts } from "./broadcast";
import { createTask, startTask } from "./service";

export type Audience = "all" | "private" | "groups" | "channels" | "subscribers";

/** The most chats one broadcast may address (keeps creation within one request's query budget). */
export const MAX_BROADCAST_CHATS = 10_000;

export interface NewBroadcast {
  botId: number;
  text: string;
  parseMode?: "HTML" | "MarkdownV2" | "Markdown" | null;
  chatIds?: number[];
  audience?: Audience;
  contentItemId?: number;
}

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

export async function createBroadcast(env: Env, db: Db, input: NewBroadcast) {
  const ids = [...new Set(input.chatIds ?? (await audienceChatIds(db, input.botId, input.audience ?? "all")))];
  if (ids.length === 0) throw new AppError("BAD_REQUEST", "No chats to send to: the audience is empty");
  if (ids.length > MAX_BROADCAST_CHATS) throw new AppError("BAD_REQUEST", `At most ${MAX_BROADCAST_CHATS} chats per broadcast`);

  const b = await db
    .insert(broadcasts)
    .values({ botId: input.botId, text: input.text, parseMode: input.parseMode ?? null, contentItemId: input.contentItemId ?? null })
    .returning()
    .get();
  // drizzle binds every column of a row (7), and D1 takes 100 bound parameters per statement.
  const inserts = [];
  for (let i = 0; i < ids.length; i += 14) {
    inserts.push(db.insert(broadcastDeliveries).values(ids.slice(i, i + 14).map((chatId) => ({ broadcastId: b.id, chatId }))));
  }
  const [first, ...rest] = inserts;
  if (first) await db.batch([first, ...rest]);
  const task = await createTask(db, { botId: input.botId, kind: "broadcast", name: `broadcast #${b.id}`, config: { broadcast_id: b.id } });
  await db.update(broadcasts).set({ taskId: task.id }).where(eq(broadcasts.id, b.id));
  const started = await startTask(env, db, task.id);
  return { ...publicBroadcast({ ...b, taskId: task.id }), status: "running", task_status: started.status, total: ids.length };
}

export function publicBroadcast(b: typeof broadcasts.$inferSelect) {
  return {
    id: b.id,
    bot_id: b.botId,
    text: b.text,
    parse_mode: b.parseMode,
    status: b.status,
    task_id: b.taskId,
    content_item_id: b.contentItemId,
    created_at: b.createdAt,
    finished_at: b.finishedAt,
  };
}

/** The delivery report: counts plus each chat's outcome (optionally one status only). */
export async function broadcastReport(db: Db, id: number, status?: string, limit = 1000) {
  const b = await db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
  if (!b) throw new AppError("NOT_FOUND", `Broadcast ${id} not found`);
  const deliveries = await db
    .select()
    .from(broadcastDeliveries)
    .where(and(eq(broadcastDeliveries.broadcastId, id), status ? eq(broadcastDeliveries.status, status) : undefined))
    .orderBy(broadcastDeliveries.chatId)
    .limit(limit)
    .all();
  return {
    ...publicBroadcast(b),
    counts: await reportCounts({ db }, id),
    deliveries: deliveries.map((d) => ({
      chat_id: d.chatId,
      status: d.status,
      error: d.error,
      message_id: d.messageId,
      attempts: d.attempts,
      updated_at: d.updatedAt,
    })),
  };
}
