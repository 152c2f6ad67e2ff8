// Webhook management (bearer token or staff session); the rules are in services/webhooks.ts.
//   GET  /telegram/webhook/{bot_id}/info/    getWebhookInfo
//   POST /telegram/webhook/{bot_id}/set/     { url?, drop_pending_updates?, allowed_updates? }
//   POST /telegram/webhook/{bot_id}/delete/  { drop_pending_updates? }
import type { Context } from "hono";
import { Hono } from "hono";
import type { z } from "zod";
import { requireBot } from "../db/bots";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { idParam, parseWith } from "../lib/validate";
import { deleteWebhook, deleteWebhookSchema, setWebhook, setWebhookSchema, webhookInfo } from "../services/webhooks";
import { svc } from "./service-ctx";

/** A JSON body that may also be empty (curl -X POST with no data). */
async function optionalJson<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (!text.trim()) return parseWith(schema, {}, "body");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
  return parseWith(schema, raw, "body");
}

export const webhookAdmin = new Hono<AppEnv>()
  .get("/:bot_id/info", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    return c.json(await webhookInfo(svc(c), bot));
  })
  .post("/:bot_id/set", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    const body = await optionalJson(c, setWebhookSchema);
    const set = await setWebhook(svc(c), bot, body);
    return c.json({ ok: true, bot_id: bot.id, ...set, secret_set: true });
  })
  .post("/:bot_id/delete", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    await deleteWebhook(svc(c), bot, await optionalJson(c, deleteWebhookSchema));
    return c.json({ ok: true, bot_id: bot.id, deleted: true });
  });
