// A bot's webhook at Telegram: set (with a fresh secret every time), delete, and read back.
// Only the secret's SHA-256 is kept; the secret itself is never stored or answered. Telegram's
// refusals and outages propagate as they are: toAppError gives them their status.
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { BotRow } from "../db/bots";
import { nowSeconds } from "../db/client";
import { bots } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { webhookUrlProblem, zHttpUrl } from "../lib/validate";
import { telegramFor } from "../telegram/bot-client";
import { DEFAULT_ALLOWED_UPDATES as DEFAULTS } from "../telegram/ingest/normalize";
import { forgetCachedBot } from "./bot-cache";
import { syncCommandMenusSafely } from "./command-menus";
import type { ServiceCtx } from "./context";

// Every kind ingest stores or acts on, chat_member and the reactions included (Telegram omits them unless asked).
export const DEFAULT_ALLOWED_UPDATES: string[] = [...DEFAULTS];

export const setWebhookSchema = z.strictObject({
  // http(s) here; https (or a loopback / PUBLIC_BASE_URL origin) is checked with the env below.
  url: zHttpUrl.optional(),
  drop_pending_updates: z.boolean().optional(),
  // Telegram's simultaneous HTTPS connections to the webhook (1-100, its default 40).
  max_connections: z.number().int().min(1).max(100).optional(),
  allowed_updates: z
    .array(z.string().regex(/^[a-z_]{1,64}$/))
    .max(30)
    .optional(),
});
export type SetWebhookInput = z.infer<typeof setWebhookSchema>;

export const deleteWebhookSchema = z.strictObject({ drop_pending_updates: z.boolean().optional() });
export type DeleteWebhookInput = z.infer<typeof deleteWebhookSchema>;

/** Telegram's view of the webhook next to ours, as the JSON API answers it. */
export async function webhookInfo({ env, log }: ServiceCtx, bot: BotRow) {
  const tg = await telegramFor(env, bot, { log });
  const info = await tg.call("getWebhookInfo");
  return {
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
  };
}

/** The url given, or this Worker's own webhook path under PUBLIC_BASE_URL. */
function webhookUrl(publicBase: string | undefined, botId: number, given: string | undefined): string {
  const base = publicBase?.replace(/\/+$/, "");
  const url = given ?? (base ? `${base}/telegram/webhook/${botId}/` : undefined);
  if (!url) throw new AppError("BAD_REQUEST", "No url given and PUBLIC_BASE_URL is not configured");
  const problem = webhookUrlProblem(url, publicBase);
  if (problem) {
    throw new AppError("BAD_REQUEST", `Invalid body: url: ${problem}`, { issues: [{ path: "url", message: problem }] });
  }
  return url;
}

/** Sets the webhook, then the command menus that changed (their failure does not undo the webhook). */
export async function setWebhook(ctx: ServiceCtx, bot: BotRow, input: SetWebhookInput) {
  const { env, db, log } = ctx;
  const url = webhookUrl(env.PUBLIC_BASE_URL, bot.id, input.url);
  const allowed = input.allowed_updates ?? DEFAULT_ALLOWED_UPDATES;
  const secret = randomToken(32);
  const tg = await telegramFor(env, bot, { log });
  await tg.call("setWebhook", {
    url,
    secret_token: secret,
    allowed_updates: allowed as never,
    ...(input.drop_pending_updates !== undefined && { drop_pending_updates: input.drop_pending_updates }),
    ...(input.max_connections !== undefined && { max_connections: input.max_connections }),
  });
  await db
    .update(bots)
    .set({ webhookUrl: url, webhookSecretHash: await sha256Hex(secret), allowedUpdates: allowed, updatedAt: nowSeconds() })
    .where(eq(bots.id, bot.id));
  forgetCachedBot(bot.id);
  log.info("webhook set", { bot_id: bot.id, url });
  const commandsSync = await syncCommandMenusSafely(ctx, bot);
  return { url, allowed_updates: allowed, drop_pending_updates: input.drop_pending_updates ?? false, commands_sync: commandsSync };
}

export async function deleteWebhook({ env, db, log }: ServiceCtx, bot: BotRow, input: DeleteWebhookInput): Promise<void> {
  const tg = await telegramFor(env, bot, { log });
  await tg.call("deleteWebhook", { drop_pending_updates: input.drop_pending_updates });
  await db.update(bots).set({ webhookUrl: null, webhookSecretHash: null, updatedAt: nowSeconds() }).where(eq(bots.id, bot.id));
  forgetCachedBot(bot.id);
}
