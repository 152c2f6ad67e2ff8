// Creating a broadcast: resolve the audience to chat ids, store the broadcast and one
// pending delivery per chat, and start a broadcast task on the bot's coordinator.
import { and, eq } from "drizzle-orm";
import { broadcastDeliveries, broadcasts } from "../db/schema";
import type { Db, Env } from "../env";
import { AppError } from "../lib/errors";
import { reportCounts } from "../tasks/broadcast";
import { type Audience, audienceChatIds } from "../tasks/broadcast-audience";
import { type Buttons, insertDeliveries, MAX_AHEAD_S, type REPEATS } from "../tasks/broadcast-schedule";
import { createTask, startTask } from "./tasks";

export { type Audience, audienceChatIds };

/** The most chats one broadcast may address (keeps creation within one request's query budget). */
export const MAX_BROADCAST_CHATS = 10_000;

export interface NewBroadcast {
  botId: number;
  text: string;
  parseMode?: "HTML" | "MarkdownV2" | "Markdown" | null;
  chatIds?: number[];
  audience?: Audience;
  contentItemId?: number;
  buttons?: Buttons;
  /** Not before this time (epoch seconds). */
  sendAt?: number;
  repeatEvery?: (typeof REPEATS)[number];
}

export async function createBroadcast(env: Env, db: Db, input: NewBroadcast) {
  const ids = [...new Set(input.chatIds ?? (await audienceChatIds(db, input.botId, input.audience ?? "all")))];
  if (ids.length === 0) throw new AppError("BAD_REQUEST", "No chats to send to: the audience is empty");
  if (ids.length > MAX_BROADCAST_CHATS) throw new AppError("BAD_REQUEST", `At most ${MAX_BROADCAST_CHATS} chats per broadcast`);
  const nowS = Math.floor(Date.now() / 1000);
  if (input.sendAt !== undefined && (input.sendAt < nowS - 60 || input.sendAt > nowS + MAX_AHEAD_S)) {
    throw new AppError("BAD_REQUEST", "Invalid body: send_at: must be from now to a year ahead");
  }
  if (input.repeatEvery && input.chatIds === undefined && input.audience === undefined) {
    throw new AppError("BAD_REQUEST", "Invalid body: repeat_every: a recurring broadcast needs an audience or chat_ids");
  }

  const b = await db
    .insert(broadcasts)
    .values({
      botId: input.botId,
      text: input.text,
      parseMode: input.parseMode ?? null,
      contentItemId: input.contentItemId ?? null,
      buttons: input.buttons?.length ? input.buttons : null,
      sendAt: input.sendAt ?? null,
      repeatEvery: input.repeatEvery ?? null,
      // A list of chats stays that list; an audience is resolved again for each recurrence.
      audience: input.chatIds ? null : (input.audience ?? "all"),
    })
    .returning()
    .get();
  await insertDeliveries(db, b.id, ids);
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
    buttons: b.buttons ?? null,
    send_at: b.sendAt ?? null,
    repeat_every: b.repeatEvery ?? null,
    audience: b.audience ?? null,
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
