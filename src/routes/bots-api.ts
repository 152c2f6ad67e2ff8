// JSON API for bots: POST/GET /api/bots, GET/PATCH/DELETE /api/bots/{id}.
import { eq, or } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { aiLimitsSchema } from "../ai/limits";
import { clientForToken, listBots, publicBot, requireBot, telegramFor } from "../db/bots";
import { nowSeconds } from "../db/client";
import {
  aiUsage,
  botDailyActivity,
  botHourlyActivity,
  bots,
  botUserActivity,
  botUserDays,
  chatDailyActivity,
  chatHourlyActivity,
  chatUserDaily,
  memberEvents,
} from "../db/schema";
import type { AppEnv, Env } from "../env";
import { encryptSecret, fingerprint } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { idParam, jsonBody, withSafeLinks } from "../lib/validate";
import { TelegramError } from "../telegram/errors";
import { deleteBotMessages } from "../telegram/retention";
import { forgetCachedBot } from "./webhook";

/** Tables keyed by bot_id without a foreign key to bots: a bot's deletion clears them itself. */
const ANALYTICS_TABLES = [
  chatUserDaily,
  chatDailyActivity,
  chatHourlyActivity,
  memberEvents,
  aiUsage,
  botUserDays,
  botUserActivity,
  botDailyActivity,
  botHourlyActivity,
] as const;

const tokenSchema = z
  .string()
  .trim()
  .regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, "does not look like a Telegram bot token (digits:secret)");

const settingsSchema = {
  is_active: z.boolean(),
  welcome_text: withSafeLinks(z.string().max(4096)).nullable(),
  info_text: withSafeLinks(z.string().max(4096)).nullable(),
  contact_text: withSafeLinks(z.string().max(4096)).nullable(),
  ai_enabled: z.boolean(),
  ai_providers: z
    .array(z.enum(["openai", "gemini"]))
    .min(1)
    .max(2)
    .refine((a) => new Set(a).size === a.length, "providers must not repeat"),
  openai_model: z.string().min(1).max(100),
  gemini_model: z.string().min(1).max(100),
  ai_system_prompt: z.string().max(8000).nullable(),
  ai_memory_messages: z.number().int().min(0).max(200),
  ai_daily_quota: z.number().int().min(0).max(100_000),
  // Partial limits; what is left out takes the defaults (GET answers the effective ones).
  ai_limits: aiLimitsSchema.nullable(),
  // Groups where the AI answers (Telegram chat ids); null = every group.
  ai_group_allowlist: z
    .array(
      z
        .number()
        .int()
        .refine((n) => n < 0 && Number.isSafeInteger(n), "a group chat id (negative)"),
    )
    .max(1000)
    .nullable(),
};

const nameSchema = z.string().trim().min(1).max(100);

const createSchema = z.strictObject({
  name: nameSchema,
  token: tokenSchema,
  username: z.string().trim().max(64).optional(),
  ...z.object(settingsSchema).partial().shape,
});

const patchSchema = z
  .strictObject({ name: nameSchema, token: tokenSchema, ...settingsSchema })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

/** Asks Telegram who the token belongs to; a refusal is the caller's 400, an outage our 502. */
async function verifyToken(env: Env, token: string) {
  try {
    return await clientForToken(env, token, { maxRetries: 1 }).call("getMe");
  } catch (err) {
    if (err instanceof TelegramError) {
      throw new AppError("BAD_REQUEST", `Telegram rejected the token: ${err.description || err.errorCode}`, {
        telegram_error_code: err.errorCode,
      });
    }
    throw new AppError("UPSTREAM_UNAVAILABLE", "Could not reach the Telegram Bot API to check the token; try again");
  }
}

async function assertUnique(db: AppEnv["Variables"]["db"], name: string | undefined, fp: string | undefined, exceptId?: number) {
  const conds = [name ? eq(bots.name, name) : undefined, fp ? eq(bots.tokenFingerprint, fp) : undefined].filter((x) => x !== undefined);
  if (conds.length === 0) return;
  const clash = await db
    .select({ id: bots.id, name: bots.name, fp: bots.tokenFingerprint })
    .from(bots)
    .where(or(...conds))
    .all();
  for (const row of clash) {
    if (row.id === exceptId) continue;
    if (name && row.name === name) throw new AppError("CONFLICT", `A bot named "${name}" already exists`);
    throw new AppError("CONFLICT", `This token is already registered as bot "${row.name}"`);
  }
}

function settingsColumns(v: Partial<z.infer<z.ZodObject<typeof settingsSchema>>>) {
  return {
    ...(v.is_active !== undefined && { isActive: v.is_active }),
    ...(v.welcome_text !== undefined && { welcomeText: v.welcome_text }),
    ...(v.info_text !== undefined && { infoText: v.info_text }),
    ...(v.contact_text !== undefined && { contactText: v.contact_text }),
    ...(v.ai_enabled !== undefined && { aiEnabled: v.ai_enabled }),
    ...(v.ai_providers !== undefined && { aiProviders: v.ai_providers }),
    ...(v.openai_model !== undefined && { openaiModel: v.openai_model }),
    ...(v.gemini_model !== undefined && { geminiModel: v.gemini_model }),
    ...(v.ai_system_prompt !== undefined && { aiSystemPrompt: v.ai_system_prompt }),
    ...(v.ai_memory_messages !== undefined && { aiMemoryMessages: v.ai_memory_messages }),
    ...(v.ai_daily_quota !== undefined && { aiDailyQuota: v.ai_daily_quota }),
    ...(v.ai_limits !== undefined && { aiLimits: v.ai_limits }),
    ...(v.ai_group_allowlist !== undefined && { aiGroupAllowlist: v.ai_group_allowlist ? [...new Set(v.ai_group_allowlist)] : null }),
  };
}

const isUniqueViolation = (e: unknown) => /UNIQUE constraint failed/i.test(String((e as { cause?: unknown })?.cause ?? e));

export const botsApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listBots(c.var.db);
    return c.json({ count: rows.length, results: rows.map(publicBot) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    const { db } = c.var;
    const fp = await fingerprint(body.token, c.env.TOKEN_ENCRYPTION_KEY);
    await assertUnique(db, body.name, fp);
    const me = await verifyToken(c.env, body.token);
    if (body.username && body.username.replace(/^@/, "").toLowerCase() !== me.username.toLowerCase()) {
      c.var.log.warn("username given differs from getMe; keeping Telegram's", { given: body.username, telegram: me.username });
    }
    try {
      const row = await db
        .insert(bots)
        .values({
          name: body.name,
          tgId: me.id,
          username: me.username,
          tokenCiphertext: await encryptSecret(body.token, c.env.TOKEN_ENCRYPTION_KEY),
          tokenFingerprint: fp,
          ...settingsColumns(body),
        })
        .returning()
        .get();
      c.var.log.info("bot created", { bot_id: row.id, username: row.username });
      return c.json(publicBot(row), 201);
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError("CONFLICT", "A bot with this name or token already exists");
      throw e;
    }
  })
  .get("/:id", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "id", "Bot"));
    return c.json(publicBot(bot));
  })
  .patch("/:id", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, idParam(c, "id", "Bot"));
    const body = await jsonBody(c, patchSchema);
    const fp = body.token ? await fingerprint(body.token, c.env.TOKEN_ENCRYPTION_KEY) : undefined;
    await assertUnique(db, body.name, fp, bot.id);
    const tokenCols: Partial<typeof bots.$inferInsert> = {};
    if (body.token && fp) {
      const me = await verifyToken(c.env, body.token);
      Object.assign(tokenCols, {
        tgId: me.id,
        username: me.username,
        tokenCiphertext: await encryptSecret(body.token, c.env.TOKEN_ENCRYPTION_KEY),
        tokenFingerprint: fp,
      });
    }
    try {
      const row = await db
        .update(bots)
        .set({ ...(body.name !== undefined && { name: body.name }), ...settingsColumns(body), ...tokenCols, updatedAt: nowSeconds() })
        .where(eq(bots.id, bot.id))
        .returning()
        .get();
      if (!row) throw new AppError("NOT_FOUND", `Bot ${bot.id} not found`);
      forgetCachedBot(bot.id); // a deactivation takes effect at once for this isolate's webhook
      return c.json(publicBot(row));
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError("CONFLICT", "A bot with this name or token already exists");
      throw e;
    }
  })
  .delete("/:id", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, idParam(c, "id", "Bot"));
    // Best effort: stop Telegram delivering to a webhook that will now answer 404.
    let webhookDeleted: boolean | null = null;
    if (bot.webhookUrl) {
      try {
        webhookDeleted = await (await telegramFor(c.env, bot, { maxRetries: 0 })).call("deleteWebhook", {});
      } catch (err) {
        webhookDeleted = false;
        c.var.log.warn("deleteWebhook failed while deleting bot", { bot_id: bot.id, error: String(err) });
      }
    }
    // Foreign keys take the bot's chats, users, messages, snapshots and tasks with it. The
    // analytics tables have none (rollups, member events, AI usage; the bot-wide rollups are
    // kept by SQL triggers, migrations 0003/0004), so they go in the same atomic batch, after
    // the bot row: with it gone, their delete triggers skip the bot-wide bookkeeping.
    // Messages go first, in bounded steps: with millions of them the cascade would be one
    // statement running for tens of seconds.
    await deleteBotMessages(db, bot.id);
    await db.batch([db.delete(bots).where(eq(bots.id, bot.id)), ...ANALYTICS_TABLES.map((t) => db.delete(t).where(eq(t.botId, bot.id)))]);
    forgetCachedBot(bot.id);
    return c.json({ deleted: true, id: bot.id, webhook_deleted: webhookDeleted });
  });
