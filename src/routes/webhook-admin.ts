// Webhook management (bearer token or staff session):
//   GET  /telegram/webhook/{bot_id}/info/    getWebhookInfo
//   POST /telegram/webhook/{bot_id}/set/     { url?, drop_pending_updates?, allowed_updates? }
//   POST /telegram/webhook/{bot_id}/delete/  { drop_pending_updates? }
// /set/ makes a fresh secret token for every call, gives it to Telegram and keeps only its
// SHA-256; the secret itself is never stored or answered.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { requireBot, telegramFor } from "../db/bots";
import { nowSeconds } from "../db/client";
import { bots } from "../db/schema";
import type { AppEnv } from "../env";
import { randomToken, sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { idParam, parseWith, webhookUrlProblem, zHttpUrl } from "../lib/validate";
import { TelegramError } from "../telegram/errors";
import { KNOWN_KINDS } from "../telegram/ingest/normalize";
import { forgetCachedBot } from "./webhook";

// Every kind ingest stores or acts on, chat_member included (Telegram omits it unless asked).
export const DEFAULT_ALLOWED_UPDATES: string[] = [...KNOWN_KINDS];

/** Runs a Bot API call for an operator: Telegram's refusal is a 4xx with its description, an outage a 502. */
export async function forOperator<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TelegramError) {
      if (err.errorCode === 429) {
        throw new AppError("TOO_MANY_REQUESTS", `Telegram rate limit: ${err.description}`, { retry_after: err.retryAfter });
      }
      if (err.errorCode === 401 || err.errorCode === 404) {
        throw new AppError("TELEGRAM_REFUSED", `Telegram refused ${what}: ${err.description}`, { telegram_error_code: err.errorCode });
      }
      if (err.errorCode >= 500) throw new AppError("UPSTREAM_UNAVAILABLE", `Telegram failed ${what}: ${err.description}`);
      throw new AppError("TELEGRAM_REFUSED", `Telegram refused ${what}: ${err.description}`, {
        telegram_error_code: err.errorCode,
        ...(err.parameters && Object.keys(err.parameters).length > 0 && { parameters: err.parameters }),
      });
    }
    if (err instanceof AppError) throw err;
    throw new AppError("UPSTREAM_UNAVAILABLE", `Could not reach the Telegram Bot API for ${what}; try again`, undefined, { cause: err });
  }
}

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

const setSchema = z.strictObject({
  // http(s) here; https (or a loopback / PUBLIC_BASE_URL origin) is checked with the env below.
  url: zHttpUrl.optional(),
  drop_pending_updates: z.boolean().optional(),
  allowed_updates: z
    .array(z.string().regex(/^[a-z_]{1,64}$/))
    .max(30)
    .optional(),
});

const deleteSchema = z.strictObject({ drop_pending_updates: z.boolean().optional() });

export const webhookAdmin = new Hono<AppEnv>()
  .get("/:bot_id/info", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    const tg = await telegramFor(c.env, bot, { log: c.var.log });
    const info = await forOperator("getWebhookInfo", () => tg.call("getWebhookInfo"));
    return c.json({
      bot_id: bot.id,
      url: info.url,
      pending_update_count: info.pending_update_count,
      last_error_date: info.last_error_date ?? null,
      last_error_message: info.last_error_message ?? null,
      allowed_updates: info.allowed_updates ?? null,
      max_connections: info.max_connections ?? null,
      ip_address: info.ip_address ?? null,
      stored_url: bot.webhookUrl,
      secret_set: Boolean(bot.webhookSecretHash),
    });
  })
  .post("/:bot_id/set", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, idParam(c, "bot_id", "Bot"));
    const body = await optionalJson(c, setSchema);
    const base = c.env.PUBLIC_BASE_URL?.replace(/\/+$/, "");
    const url = body.url ?? (base ? `${base}/telegram/webhook/${bot.id}/` : undefined);
    if (!url) throw new AppError("BAD_REQUEST", "No url given and PUBLIC_BASE_URL is not configured");
    const problem = webhookUrlProblem(url, c.env.PUBLIC_BASE_URL);
    if (problem) {
      throw new AppError("BAD_REQUEST", `Invalid body: url: ${problem}`, { issues: [{ path: "url", message: problem }] });
    }
    const allowed = body.allowed_updates ?? DEFAULT_ALLOWED_UPDATES;
    const secret = randomToken(32);
    const tg = await telegramFor(c.env, bot, { log: c.var.log });
    await forOperator("setWebhook", () =>
      tg.call("setWebhook", {
        url,
        secret_token: secret,
        allowed_updates: allowed as never,
        ...(body.drop_pending_updates !== undefined && { drop_pending_updates: body.drop_pending_updates }),
      }),
    );
    await db
      .update(bots)
      .set({ webhookUrl: url, webhookSecretHash: await sha256Hex(secret), allowedUpdates: allowed, updatedAt: nowSeconds() })
      .where(eq(bots.id, bot.id));
    forgetCachedBot(bot.id);
    c.var.log.info("webhook set", { bot_id: bot.id, url });
    return c.json({
      ok: true,
      bot_id: bot.id,
      url,
      allowed_updates: allowed,
      drop_pending_updates: body.drop_pending_updates ?? false,
      secret_set: true,
    });
  })
  .post("/:bot_id/delete", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, idParam(c, "bot_id", "Bot"));
    const body = await optionalJson(c, deleteSchema);
    const tg = await telegramFor(c.env, bot, { log: c.var.log });
    await forOperator("deleteWebhook", () => tg.call("deleteWebhook", { drop_pending_updates: body.drop_pending_updates }));
    await db.update(bots).set({ webhookUrl: null, webhookSecretHash: null, updatedAt: nowSeconds() }).where(eq(bots.id, bot.id));
    forgetCachedBot(bot.id);
    return c.json({ ok: true, bot_id: bot.id, deleted: true });
  });
