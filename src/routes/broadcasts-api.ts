// Broadcasts: POST /api/broadcasts (send one message to many chats, paced by the bot's
// coordinator), GET /api/broadcasts/{id} (the delivery report), and
// POST /api/content/{id}/notify (tell the users who opted into notifications).
import { and, eq, ne } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { listBots, requireBot } from "../db/bots";
import { broadcasts, contentItems } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { idParam, isHttpUrl, jsonBody, queryOf, withSafeLinks } from "../lib/validate";
import { DELIVERY_STATUSES } from "../tasks/broadcast";
import { audienceChatIds, broadcastReport, createBroadcast, publicBroadcast } from "../tasks/broadcast-create";

const chatId = z
  .number()
  .int()
  .refine((n) => n !== 0 && Number.isSafeInteger(n), "not a Telegram chat id");

const createSchema = z
  .strictObject({
    bot_id: z.number().int().positive(),
    text: withSafeLinks(z.string().trim().min(1).max(4096)),
    parse_mode: z.enum(["HTML", "MarkdownV2", "Markdown"]).nullish(),
    chat_ids: z.array(chatId).min(1).max(10_000).optional(),
    audience: z.enum(["all", "private", "groups", "channels", "subscribers"]).optional(),
  })
  .refine((v) => !(v.chat_ids && v.audience), "give either chat_ids or audience, not both");

const reportQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const broadcastsApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = queryOf(c, z.object({ bot_id: z.coerce.number().int().positive().optional() }));
    const rows = await c.var.db
      .select()
      .from(broadcasts)
      .where(q.bot_id ? eq(broadcasts.botId, q.bot_id) : undefined)
      .orderBy(broadcasts.id)
      .all();
    return c.json({ count: rows.length, results: rows.map(publicBroadcast) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    await requireBot(c.var.db, body.bot_id);
    const b = await createBroadcast(c.env, c.var.db, {
      botId: body.bot_id,
      text: body.text,
      parseMode: body.parse_mode,
      chatIds: body.chat_ids,
      audience: body.audience,
    });
    return c.json(b, 201);
  })
  .get("/:id", async (c) => {
    const q = queryOf(c, reportQuery);
    return c.json(await broadcastReport(c.var.db, idParam(c, "id", "Broadcast"), q.status, q.limit));
  });

const notifySchema = z.strictObject({ bot_id: z.number().int().positive().optional() });

function contentText(item: typeof contentItems.$inferSelect): string {
  const head = item.kind === "game" ? "🎮 New game" : "📰 News";
  return [`${head}: ${item.title}`, item.summary, item.url && isHttpUrl(item.url) ? item.url : null]
    .filter(Boolean)
    .join("\n\n")
    .slice(0, 4096);
}

export const contentNotifyApi = new Hono<AppEnv>().post("/:id/notify", async (c) => {
  const { db } = c.var;
  const id = idParam(c, "id", "Content item");
  const raw = await c.req.text();
  const body = raw.trim() ? await jsonBody(c, notifySchema) : {};
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
    created.push(await createBroadcast(c.env, db, { botId, text: contentText(item), chatIds, contentItemId: id }));
  }
  if (created.length === 0 && skipped.some((s) => s.reason.startsWith("already"))) {
    throw new AppError("CONFLICT", `Content item ${id} was already sent to its subscribers`, { skipped });
  }
  return c.json({ content_item_id: id, count: created.length, broadcasts: created, skipped }, created.length ? 201 : 200);
});
