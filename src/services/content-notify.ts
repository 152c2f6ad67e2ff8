// "Notify on new content": a news or game item broadcast to the users who turned
// notifications on in /settings, once per bot (a second notify of the same item is a
// conflict). Used by POST /api/content/{id}/notify and the content page's checkbox.
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { listBots, requireBot } from "../db/bots";
import { broadcasts, contentItems } from "../db/schema";
import { AppError } from "../lib/errors";
import { isHttpUrl } from "../lib/validate";
import { audienceChatIds, createBroadcast } from "./broadcasts";
import type { ServiceCtx } from "./context";

export const notifySchema = z.strictObject({ bot_id: z.number().int().positive().optional() });

function contentText(item: typeof contentItems.$inferSelect): string {
  const head = item.kind === "game" ? "🎮 New game" : "📰 News";
  return [`${head}: ${item.title}`, item.summary, item.url && isHttpUrl(item.url) ? item.url : null]
    .filter(Boolean)
    .join("\n\n")
    .slice(0, 4096);
}

export async function notifyContent({ env, db }: ServiceCtx, id: number, body: z.infer<typeof notifySchema>) {
  const item = await db.select().from(contentItems).where(eq(contentItems.id, id)).get();
  if (!item) throw new AppError("NOT_FOUND", `Content item ${id} not found`);
  if (item.botId && body.bot_id && body.bot_id !== item.botId) {
    throw new AppError("BAD_REQUEST", `Content item ${id} belongs to bot ${item.botId}`);
  }
  const botIds = item.botId
    ? [item.botId]
    : body.bot_id
      ? [(await requireBot(db, body.bot_id)).id]
      : (await listBots(db)).filter((b) => b.isActive).map((b) => b.id);

  const created = [];
  const skipped: { bot_id: number; reason: string }[] = [];
  for (const botId of botIds) {
    const earlier = await db
      .select({ id: broadcasts.id })
      .from(broadcasts)
      .where(and(eq(broadcasts.botId, botId), eq(broadcasts.contentItemId, id), ne(broadcasts.status, "cancelled")))
      .get();
    if (earlier) {
      skipped.push({ bot_id: botId, reason: `already notified (broadcast ${earlier.id})` });
      continue;
    }
    const chatIds = await audienceChatIds(db, botId, "subscribers");
    if (chatIds.length === 0) {
      skipped.push({ bot_id: botId, reason: "no users opted into notifications" });
      continue;
    }
    created.push(await createBroadcast(env, db, { botId, text: contentText(item), chatIds, contentItemId: id }));
  }
  if (created.length === 0 && skipped.some((s) => s.reason.startsWith("already"))) {
    throw new AppError("CONFLICT", `Content item ${id} was already sent to its subscribers`, { skipped });
  }
  return { content_item_id: id, count: created.length, broadcasts: created, skipped };
}
