// Bots: registering one (its token checked with Telegram's getMe), changing it, and deleting
// it with everything it owns. The JSON API and the dashboard both call these.
import { eq, or } from "drizzle-orm";
import { type BotRow, requireBot } from "../db/bots";
import { nowSeconds } from "../db/client";
import { bots } from "../db/schema";
import { isUniqueViolation } from "../db/unique";
import type { Db, Env } from "../env";
import { encryptSecret, fingerprint } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { clientForToken, telegramFor } from "../telegram/bot-client";
import { TelegramError } from "../telegram/errors";
import { deleteBotMessages } from "../telegram/retention";
import { forgetCachedBot } from "./bot-cache";
import { type CreateBotInput, type PatchBotInput, settingsColumns } from "./bot-input";
import { ANALYTICS_TABLES } from "./bot-tables";
import { syncCommandMenusSafely } from "./command-menus";
import type { ServiceCtx } from "./context";

/**
 * Asks Telegram who the token belongs to. A token Telegram does not know (401, 404) is the
 * caller's bad input, a 400, and that is a rule of this domain rather than an error mapping;
 * anything else (rate limit, outage) goes to toAppError like every other Telegram failure.
 */
async function verifyToken(env: Env, token: string) {
  try {
    return await clientForToken(env, token, { maxRetries: 1 }).call("getMe");
  } catch (err) {
    if (err instanceof TelegramError && (err.errorCode === 401 || err.errorCode === 404)) {
      throw new AppError("BAD_REQUEST", `Telegram rejected the token: ${err.description || err.errorCode}`, {
        telegram_error_code: err.errorCode,
      });
    }
    throw err;
  }
}

/** A name or token already taken by another bot is a 409 (checked before asking Telegram). */
async function assertUnique(db: Db, name: string | undefined, fp: string | undefined, exceptId?: number) {
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

/** The index catches what assertUnique could not: two creations racing each other. */
function conflictOnRace(e: unknown): never {
  if (isUniqueViolation(e)) throw new AppError("CONFLICT", "A bot with this name or token already exists");
  throw e;
}

/**
 * Registers the bot and sets its command menus at Telegram (a failure there is recorded in
 * bot_command_menus and shown in the bot's answer, never a failed registration).
 */
export async function createBot(ctx: ServiceCtx, input: CreateBotInput): Promise<BotRow> {
  const { env, db, log } = ctx;
  const fp = await fingerprint(input.token, env.TOKEN_ENCRYPTION_KEY);
  await assertUnique(db, input.name, fp);
  const me = await verifyToken(env, input.token);
  if (input.username && input.username.replace(/^@/, "").toLowerCase() !== me.username.toLowerCase()) {
    log.warn("username given differs from getMe; keeping Telegram's", { given: input.username, telegram: me.username });
  }
  const row = await db
    .insert(bots)
    .values({
      name: input.name,
      tgId: me.id,
      username: me.username,
      tokenCiphertext: await encryptSecret(input.token, env.TOKEN_ENCRYPTION_KEY),
      tokenFingerprint: fp,
      ...settingsColumns(input),
    })
    .returning()
    .get()
    .catch(conflictOnRace);
  log.info("bot created", { bot_id: row.id, username: row.username });
  await syncCommandMenusSafely(ctx, row);
  return row;
}

/** Changes the bot (looked up by the caller, so an unknown id is its 404 before any body check). */
export async function patchBot(ctx: ServiceCtx, bot: BotRow, input: PatchBotInput): Promise<BotRow> {
  const { env, db } = ctx;
  const fp = input.token ? await fingerprint(input.token, env.TOKEN_ENCRYPTION_KEY) : undefined;
  await assertUnique(db, input.name, fp, bot.id);
  const tokenCols: Partial<typeof bots.$inferInsert> = {};
  if (input.token && fp) {
    const me = await verifyToken(env, input.token);
    Object.assign(tokenCols, {
      tgId: me.id,
      username: me.username,
      tokenCiphertext: await encryptSecret(input.token, env.TOKEN_ENCRYPTION_KEY),
      tokenFingerprint: fp,
    });
  }
  const row = await db
    .update(bots)
    .set({ ...(input.name !== undefined && { name: input.name }), ...settingsColumns(input), ...tokenCols, updatedAt: nowSeconds() })
    .where(eq(bots.id, bot.id))
    .returning()
    .get()
    .catch(conflictOnRace);
  if (!row) throw new AppError("NOT_FOUND", `Bot ${bot.id} not found`);
  forgetCachedBot(bot.id); // a deactivation takes effect at once for this isolate's webhook
  // A new token may be another Telegram bot, whose menus are not ours yet; the AI switch
  // adds or removes the AI commands (/cancel, /retry, /mode, /model, /usage).
  if (input.token || row.aiEnabled !== bot.aiEnabled) await syncCommandMenusSafely(ctx, row);
  return row;
}

/** Deletes the bot and all it owns; `webhookDeleted` is null when it had no webhook to drop. */
export async function deleteBot({ env, db, log }: ServiceCtx, id: number): Promise<{ id: number; webhookDeleted: boolean | null }> {
  const bot = await requireBot(db, id);
  // Best effort: stop Telegram delivering to a webhook that will now answer 404.
  let webhookDeleted: boolean | null = null;
  if (bot.webhookUrl) {
    try {
      webhookDeleted = await (await telegramFor(env, bot, { maxRetries: 0 })).call("deleteWebhook", {});
    } catch (err) {
      webhookDeleted = false;
      log.warn("deleteWebhook failed while deleting bot", { bot_id: bot.id, error: String(err) });
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
  return { id: bot.id, webhookDeleted };
}
