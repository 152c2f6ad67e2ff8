// Broadcasts: POST /api/broadcasts (send one message to many chats, paced by the bot's
// coordinator), GET /api/broadcasts/{id} (the delivery report), and
// POST /api/content/{id}/notify (tell the users who opted into notifications).
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { requireBot } from "../db/bots";
import { broadcasts } from "../db/schema";
import type { AppEnv } from "../env";
import { idParam, jsonBody, queryOf } from "../lib/validate";
import { broadcastReport, createBroadcast, publicBroadcast } from "../services/broadcasts";
import { notifyContent, notifySchema } from "../services/content-notify";
import { DELIVERY_STATUSES } from "../tasks/broadcast";
import { broadcastInputSchema } from "../tasks/broadcast-input";

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
    const body = await jsonBody(c, broadcastInputSchema);
    await requireBot(c.var.db, body.bot_id);
    const b = await createBroadcast(c.env, c.var.db, {
      botId: body.bot_id,
      text: body.text,
      parseMode: body.parse_mode,
      chatIds: body.chat_ids,
      audience: body.audience,
      buttons: body.buttons,
      sendAt: body.send_at,
      repeatEvery: body.repeat_every,
    });
    return c.json(b, 201);
  })
  .get("/:id", async (c) => {
    const q = queryOf(c, reportQuery);
    return c.json(await broadcastReport(c.var.db, idParam(c, "id", "Broadcast"), q.status, q.limit));
  });

export const contentNotifyApi = new Hono<AppEnv>().post("/:id/notify", async (c) => {
  const id = idParam(c, "id", "Content item");
  const raw = await c.req.text();
  const body = raw.trim() ? await jsonBody(c, notifySchema) : {};
  const res = await notifyContent({ env: c.env, db: c.var.db, log: c.var.log }, id, body);
  return c.json(res, res.count ? 201 : 200);
});
