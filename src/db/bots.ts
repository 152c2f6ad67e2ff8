// Bot rows: lookups and the public shape (never the token).
import { asc, eq } from "drizzle-orm";
import { AppError } from "../lib/errors";
import type { Db } from "./client";
import { bots } from "./schema";

export type BotRow = typeof bots.$inferSelect;

export async function findBot(db: Db, id: number): Promise<BotRow | undefined> {
  return db.select().from(bots).where(eq(bots.id, id)).get();
}

/** The bot, or a 404 AppError. */
export async function requireBot(db: Db, id: number): Promise<BotRow> {
  const bot = Number.isSafeInteger(id) && id > 0 ? await findBot(db, id) : undefined;
  if (!bot) throw new AppError("NOT_FOUND", `Bot ${id} not found`);
  return bot;
}

export async function listBots(db: Db): Promise<BotRow[]> {
  return db.select().from(bots).orderBy(asc(bots.id)).all();
}

/** What the API and pages may show of a bot: everything but its secrets. */
export function publicBot(b: BotRow) {
  return {
    id: b.id,
    name: b.name,
    tg_id: b.tgId,
    username: b.username,
    is_active: b.isActive,
    webhook_url: b.webhookUrl,
    webhook_secret_set: Boolean(b.webhookSecretHash),
    allowed_updates: b.allowedUpdates,
    welcome_text: b.welcomeText,
    info_text: b.infoText,
    contact_text: b.contactText,
    ai_enabled: b.aiEnabled,
    ai_providers: b.aiProviders,
    openai_model: b.openaiModel,
    gemini_model: b.geminiModel,
    ai_system_prompt: b.aiSystemPrompt,
    ai_memory_messages: b.aiMemoryMessages,
    ai_daily_quota: b.aiDailyQuota,
    // The stored overrides (null: the defaults of src/ai/limits.ts apply).
    ai_limits: b.aiLimits,
    ai_group_allowlist: b.aiGroupAllowlist,
    allow_paid_broadcast: b.allowPaidBroadcast,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}
export type PublicBot = ReturnType<typeof publicBot>;
