// Bots and their own rows: the bot itself (with its AI settings), its commands, the
// exactly-once update ledger and its counters.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { now } from "./columns";

export type AiProviderName = "openai" | "gemini";

/** A limit pair for one period; a missing figure takes the default, 0 means no limit. */
export interface AiLimitPair {
  requests?: number;
  tokens?: number;
}
/** bots.ai_limits: per scope (user, chat, bot) and period (day, month). */
export type AiLimitsSetting = Partial<Record<"user" | "chat" | "bot", Partial<Record<"day" | "month", AiLimitPair>>>>;

/** Whose command menu lists a command: private chats, every group member, group administrators. */
export type CommandAudience = "private" | "groups" | "admins";

/** A button under a custom command's reply: a link, or a reply the bot sends when it is pressed. */
export type CommandButton =
  | { text: string; url: string }
  // `id` goes into callback_data (Telegram allows 64 bytes); the reply text stays in this row.
  // `edit`: the reply replaces the text of the message carrying the button instead of following it.
  | { text: string; id: string; callback_reply: string; edit?: boolean };
/** bot_commands.keyboard: rows of buttons (an inline keyboard). */
export type CommandKeyboard = CommandButton[][];

export const bots = sqliteTable("bots", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  tgId: integer("tg_id"),
  username: text("username"),
  // AES-GCM ciphertext (base64 of iv || ciphertext) under TOKEN_ENCRYPTION_KEY.
  tokenCiphertext: text("token_ciphertext").notNull(),
  // HMAC of the token, so the same token cannot be registered twice without decrypting every row.
  tokenFingerprint: text("token_fingerprint").notNull().unique(),
  webhookUrl: text("webhook_url"),
  // SHA-256 of the secret_token given to setWebhook; the secret itself is never stored.
  webhookSecretHash: text("webhook_secret_hash"),
  allowedUpdates: text("allowed_updates", { mode: "json" }).$type<string[]>(),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  welcomeText: text("welcome_text"),
  infoText: text("info_text"),
  contactText: text("contact_text"),
  aiEnabled: integer("ai_enabled", { mode: "boolean" }).notNull().default(false),
  aiProviders: text("ai_providers", { mode: "json" }).$type<AiProviderName[]>().notNull().default(sql`'["openai","gemini"]'`),
  openaiModel: text("openai_model").notNull().default("gpt-4o-mini"),
  geminiModel: text("gemini_model").notNull().default("gemini-2.5-flash"),
  aiSystemPrompt: text("ai_system_prompt"),
  aiMemoryMessages: integer("ai_memory_messages").notNull().default(20),
  aiDailyQuota: integer("ai_daily_quota").notNull().default(50),
  // Token and request limits per user, chat and bot, daily and monthly (see src/ai/limits.ts
  // for the shape and the defaults that apply to whatever is left out; 0 = no limit).
  aiLimits: text("ai_limits", { mode: "json" }).$type<AiLimitsSetting>(),
  // Groups (chat ids) where the AI answers; null = every group, as before.
  aiGroupAllowlist: text("ai_group_allowlist", { mode: "json" }).$type<number[]>(),
  // An admin lets the bot pay (Telegram Stars) to send broadcasts past 30 messages/s: the
  // send governor raises the bot bucket and broadcasts carry allow_paid_broadcast.
  allowPaidBroadcast: integer("allow_paid_broadcast", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
});

export const botCommands = sqliteTable(
  "bot_commands",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    command: text("command").notNull(),
    description: text("description").notNull().default(""),
    // Either a fixed reply, or the name of a handler registered in code.
    replyText: text("reply_text"),
    handlerName: text("handler_name"),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    // The menu description in Russian (setMyCommands with language_code "ru"); null: `description`.
    descriptionRu: text("description_ru"),
    // Which command menus list it (setMyCommands scopes); it runs wherever it is typed.
    audiences: text("audiences", { mode: "json" }).$type<CommandAudience[]>().notNull().default(sql`'["private","groups"]'`),
    // Buttons under the reply (reply_text commands only); null: none.
    keyboard: text("keyboard", { mode: "json" }).$type<CommandKeyboard>(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("bot_commands_bot_command_uq").on(t.botId, t.command)],
);

// The D1 side of exactly-once storing: the group commit that stores an update records it
// here under its own token (src/telegram/ingest/group-commit.ts), so committing the same
// batch again writes nothing twice. Handling state lives in the coordinator's inbox; the
// lease and attempts columns are no longer used by ingest.
export const processedUpdates = sqliteTable(
  "processed_updates",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    updateId: integer("update_id").notNull(),
    // processing | done
    status: text("status").notNull().default("processing"),
    // A claim older than its lease may be taken over by a redelivery.
    leaseUntil: integer("lease_until").notNull().default(0),
    attempts: integer("attempts").notNull().default(1),
    // Side effects already performed (replies sent), so a retry does not repeat them.
    effects: text("effects", { mode: "json" }).$type<Record<string, unknown>>(),
    updateType: text("update_type"),
    receivedAt: integer("received_at").notNull().default(now),
    doneAt: integer("done_at"),
  },
  (t) => [
    primaryKey({ columns: [t.botId, t.updateId] }),
    index("processed_updates_received_idx").on(t.botId, t.receivedAt),
    // The cron's pruning is a range delete on received_at across bots, not a scan.
    index("processed_updates_prune_idx").on(t.receivedAt),
  ],
);

// Per-bot values in D1; today only the drain's probe write (it tells a D1 outage from an update D1 refuses). The status counters live in the coordinator.
export const botCounters = sqliteTable(
  "bot_counters",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    value: integer("value").notNull().default(0),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.botId, t.name] })],
);
