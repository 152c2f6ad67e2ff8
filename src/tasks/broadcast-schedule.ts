// A broadcast's URL buttons and its schedule: later (send_at) and recurring (daily or
// weekly). The broadcast task waits for send_at; when a recurring occurrence is done, the
// next one is stored (same text and buttons, the audience resolved again, fresh pending
// deliveries) and the same task carries on with it at its time. Pacing is not decided here.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { backgroundTasks, broadcastDeliveries, broadcasts } from "../db/schema";
import type { Db } from "../env";
import { isHttpUrl } from "../lib/validate";
import { type Audience, audienceChatIds } from "./broadcast-audience";

export type BroadcastRow = typeof broadcasts.$inferSelect;
export type Buttons = { text: string; url: string }[][];

export const REPEATS = ["daily", "weekly"] as const;
const REPEAT_S: Record<(typeof REPEATS)[number], number> = { daily: 86_400, weekly: 7 * 86_400 };
/** The furthest ahead a broadcast may be scheduled. */
export const MAX_AHEAD_S = 366 * 86_400;

export const buttonSchema = z.strictObject({
  text: z.string().trim().min(1, "a button needs a label").max(64),
  url: z
    .string()
    .trim()
    .max(2048)
    .refine((u) => isHttpUrl(u), "a button link must be an http(s) URL"),
});
/** Telegram allows up to 100 buttons; a broadcast keeps it to 5 rows of 4. */
export const buttonsSchema = z.array(z.array(buttonSchema).min(1).max(4)).max(5);

/** Inserts pending deliveries for these chats, 14 rows a statement (D1's 100 bound parameters). */
export async function insertDeliveries(db: Db, broadcastId: number, ids: number[]): Promise<void> {
  const inserts = [];
  for (let i = 0; i < ids.length; i += 14) {
    inserts.push(db.insert(broadcastDeliveries).values(ids.slice(i, i + 14).map((chatId) => ({ broadcastId, chatId }))));
  }
  const [first, ...rest] = inserts;
  if (first) await db.batch([first, ...rest]);
}

/** The message's inline keyboard, if it has buttons. */
export function replyMarkup(b: Pick<BroadcastRow, "buttons">) {
  return b.buttons?.length
    ? { reply_markup: { inline_keyboard: b.buttons.map((row) => row.map((x) => ({ text: x.text, url: x.url }))) } }
    : {};
}

/** Milliseconds to wait before this broadcast may send, or 0. */
export function waitBeforeSending(b: Pick<BroadcastRow, "sendAt">, nowMs: number): number {
  return b.sendAt && b.sendAt * 1000 > nowMs ? b.sendAt * 1000 - nowMs : 0;
}

/**
 * After a recurring occurrence is done: stores the next one (the first of its times after
 * now) with the audience resolved again, points the task at it, and answers it; null when
 * the broadcast does not repeat or its audience is now empty.
 */
export async function nextOccurrence(db: Db, b: BroadcastRow, nowMs: number): Promise<BroadcastRow | null> {
  if (!b.repeatEvery) return null;
  const step = REPEAT_S[b.repeatEvery];
  let at = (b.sendAt ?? Math.floor(nowMs / 1000)) + step;
  while (at * 1000 <= nowMs) at += step;
  const ids = b.audience
    ? await audienceChatIds(db, b.botId, b.audience as Audience)
    : (
        await db.select({ id: broadcastDeliveries.chatId }).from(broadcastDeliveries).where(eq(broadcastDeliveries.broadcastId, b.id)).all()
      ).map((r) => r.id);
  if (ids.length === 0) return null;
  const next = await db
    .insert(broadcasts)
    .values({
      botId: b.botId,
      text: b.text,
      parseMode: b.parseMode,
      buttons: b.buttons,
      sendAt: at,
      repeatEvery: b.repeatEvery,
      audience: b.audience,
      taskId: b.taskId,
    })
    .returning()
    .get();
  await insertDeliveries(db, next.id, ids);
  if (b.taskId !== null) {
    await db
      .update(backgroundTasks)
      .set({ config: { broadcast_id: next.id } })
      .where(eq(backgroundTasks.id, b.taskId));
  }
  return next;
}
