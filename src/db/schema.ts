// The single source of truth for the database: `npm run db:generate` turns it
// into SQL under migrations/, which wrangler applies and the tests apply too.
//
// Conventions: our own ids are integer autoincrement primary keys; Telegram ids
// (chat, user, message) are kept as Telegram gives them (they fit in 53 bits);
// every time is a unix epoch in seconds, like Telegram's own `date` fields.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch())`;

export type AiProviderName = "openai" | "gemini";

/** A limit pair for one period; a missing figure takes the default, 0 means no limit. */
export interface AiLimitPair {
  requests?: number;
  tokens?: number;
}
/** bots.ai_limits: per scope (user, chat, bot) and period (day, month). */
export type AiLimitsSetting = Partial<Record<"user" | "chat" | "bot", Partial<Record<"day" | "month", AiLimitPair>>>>;

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
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
});

export type ChatType = "private" | "group" | "supergroup" | "channel";

export const chats = sqliteTable(
  "chats",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    type: text("type").$type<ChatType>().notNull(),
    title: text("title"),
    username: text("username"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    isForum: integer("is_forum", { mode: "boolean" }).notNull().default(false),
    // creator | administrator | member | restricted | left | kicked, from my_chat_member or stats.
    botRole: text("bot_role"),
    migratedToChatId: integer("migrated_to_chat_id"),
    firstSeenAt: integer("first_seen_at").notNull().default(now),
    lastSeenAt: integer("last_seen_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("chats_bot_chat_uq").on(t.botId, t.chatId),
    index("chats_bot_type_idx").on(t.botId, t.type),
    index("chats_bot_last_seen_idx").on(t.botId, t.lastSeenAt),
    // Keyset pages by id (CSV export, lists) without sorting all of a bot's chats per page.
    index("chats_bot_id_idx").on(t.botId, t.id),
  ],
);

export const tgUsers = sqliteTable(
  "tg_users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull(),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name"),
    username: text("username"),
    languageCode: text("language_code"),
    isBot: integer("is_bot", { mode: "boolean" }).notNull().default(false),
    preferences: text("preferences", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    blockedBot: integer("blocked_bot", { mode: "boolean" }).notNull().default(false),
    firstSeenAt: integer("first_seen_at").notNull().default(now),
    lastSeenAt: integer("last_seen_at").notNull().default(now),
  },
  (t) => [uniqueIndex("tg_users_bot_user_uq").on(t.botId, t.userId), index("tg_users_bot_username_idx").on(t.botId, t.username)],
);

export type MessageKind = "message" | "edited" | "channel_post" | "callback_query" | "service";

export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    // The Telegram message id; null for a callback query (its query id is in callback_query_id).
    messageId: integer("message_id"),
    updateId: integer("update_id"),
    fromUserId: integer("from_user_id"),
    senderChatId: integer("sender_chat_id"),
    threadId: integer("thread_id"),
    date: integer("date").notNull(),
    editDate: integer("edit_date"),
    kind: text("kind").$type<MessageKind>().notNull(),
    // For service messages: new_chat_members, left_chat_member, migrate_to_chat_id, ...
    serviceType: text("service_type"),
    text: text("text"),
    entities: text("entities", { mode: "json" }).$type<unknown[]>(),
    mediaType: text("media_type"),
    fileId: text("file_id"),
    callbackQueryId: text("callback_query_id"),
    callbackData: text("callback_data"),
    replyToMessageId: integer("reply_to_message_id"),
    direction: text("direction").$type<"in" | "out">().notNull().default("in"),
    raw: text("raw", { mode: "json" }).$type<unknown>(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("messages_bot_chat_msg_uq").on(t.botId, t.chatId, t.messageId),
    index("messages_bot_chat_date_idx").on(t.botId, t.chatId, t.date),
    // Lists are newest first by id: these give that order without sorting every match
    // (bench/api-scale: the first page at 1M messages went from 558 ms of SQL to 0.2 ms).
    index("messages_bot_id_idx").on(t.botId, t.id),
    index("messages_bot_chat_id_idx").on(t.botId, t.chatId, t.id),
    index("messages_bot_kind_id_idx").on(t.botId, t.kind, t.id),
    index("messages_bot_user_idx").on(t.botId, t.fromUserId),
  ],
);

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
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("bot_commands_bot_command_uq").on(t.botId, t.command)],
);

// Multi-step dialog state per (bot, chat, user). KV holds the fast copy.
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    userId: integer("user_id").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    expiresAt: integer("expires_at").notNull(),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("sessions_key_uq").on(t.botId, t.chatId, t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export type TaskKind = "polling" | "ai_chat" | "stats" | "broadcast";
export type TaskStatus = "stopped" | "running" | "failed" | "completed";

export const backgroundTasks = sqliteTable(
  "background_tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    kind: text("kind").$type<TaskKind>().notNull(),
    name: text("name"),
    status: text("status").$type<TaskStatus>().notNull().default("stopped"),
    // Whether the cron should keep it running (the operator's intent).
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(false),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    progress: text("progress", { mode: "json" }).$type<Record<string, unknown>>(),
    lastRunAt: integer("last_run_at"),
    lastError: text("last_error"),
    attempts: integer("attempts").notNull().default(0),
    startedAt: integer("started_at"),
    stoppedAt: integer("stopped_at"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("background_tasks_bot_idx").on(t.botId, t.kind)],
);

// The exactly-once ledger: an update_id is claimed here before its work starts
// and marked done when all of it has been committed.
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

// Per-bot counters for the status endpoint (deliveries, duplicates, failures).
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

export const contentItems = sqliteTable(
  "content_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // null: shown by every bot.
    botId: integer("bot_id").references(() => bots.id, { onDelete: "cascade" }),
    kind: text("kind").$type<"news" | "game">().notNull(),
    title: text("title").notNull(),
    url: text("url"),
    summary: text("summary"),
    publishedAt: integer("published_at").notNull().default(now),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("content_items_kind_published_idx").on(t.kind, t.publishedAt)],
);

export const feedback = sqliteTable(
  "feedback",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    userId: integer("user_id").notNull(),
    text: text("text").notNull(),
    // An update yields at most one feedback row, so a redelivery cannot double it.
    updateId: integer("update_id"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("feedback_bot_update_uq").on(t.botId, t.updateId), index("feedback_created_idx").on(t.createdAt)],
);

export const staffUsers = sqliteTable("staff_users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  // pbkdf2-sha256$iterations$salt$hash
  passwordHash: text("password_hash").notNull(),
  role: text("role").$type<"viewer" | "staff" | "admin">().notNull().default("staff"),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  // Bumped by a deactivation, password change, role change or deletion: every session
  // carries the epoch it was made under, and one with an older epoch is no longer valid.
  sessionEpoch: integer("session_epoch").notNull().default(0),
  lastLoginAt: integer("last_login_at"),
  createdAt: integer("created_at").notNull().default(now),
});

// Per-person API tokens: only the SHA-256 of the (256-bit random) token is stored; the
// token itself is shown once, when it is created. A revoked token keeps its row.
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    role: text("role").$type<"viewer" | "staff" | "admin">().notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    // The token's first characters, so a person can tell their tokens apart (not a secret).
    prefix: text("prefix").notNull(),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_created_idx").on(t.createdAt)],
);

// Periodic statistics snapshots: one row per chat per period.
export const chatSnapshots = sqliteTable(
  "chat_snapshots",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    // Start of the snapshot period (unix seconds), which makes a period's run idempotent.
    periodStart: integer("period_start").notNull(),
    memberCount: integer("member_count"),
    adminCount: integer("admin_count"),
    botRole: text("bot_role"),
    error: text("error"),
    collectedAt: integer("collected_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.periodStart] }), index("chat_snapshots_bot_period_idx").on(t.botId, t.periodStart)],
);

// Latest collected statistics per chat (the administrators list and errors included).
export const chatStats = sqliteTable(
  "chat_stats",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    memberCount: integer("member_count"),
    adminCount: integer("admin_count"),
    error: text("error"),
    collectedAt: integer("collected_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId] })],
);

// Rollups maintained at ingest, so analytics queries cost the same at any message count.
export const chatDailyActivity = sqliteTable(
  "chat_daily_activity",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    // YYYY-MM-DD (UTC)
    day: text("day").notNull(),
    messages: integer("messages").notNull().default(0),
    activeUsers: integer("active_users").notNull().default(0),
    joins: integer("joins").notNull().default(0),
    leaves: integer("leaves").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.day] })],
);

export const chatUserDaily = sqliteTable(
  "chat_user_daily",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    day: text("day").notNull(),
    userId: integer("user_id").notNull(),
    messages: integer("messages").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.botId, t.chatId, t.day, t.userId] }),
    index("chat_user_daily_user_idx").on(t.botId, t.chatId, t.userId),
    // Bot-wide analytics over a date range (active users, top posters) read only that range.
    index("chat_user_daily_bot_day_idx").on(t.botId, t.day, t.userId, t.messages),
  ],
);

export const chatHourlyActivity = sqliteTable(
  "chat_hourly_activity",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    // 0 = Sunday .. 6 = Saturday (UTC), hour 0..23 (UTC)
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    messages: integer("messages").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.weekday, t.hour] })],
);

// Bot-wide rollups (the chats collapsed), so a bot's analytics read a number of rows that
// does not grow with its messages. SQL triggers on the chat_* rollups above keep them in step
// (migrations/0003_bot_rollups.sql): every write to a chat rollup, at ingest or when a chat
// moves to a supergroup, changes them in the same statement.
export const botDailyActivity = sqliteTable(
  "bot_daily_activity",
  {
    botId: integer("bot_id").notNull(),
    day: text("day").notNull(),
    messages: integer("messages").notNull().default(0),
    // Distinct users who wrote that day in any of the bot's chats (= bot_user_days rows of the day).
    activeUsers: integer("active_users").notNull().default(0),
    joins: integer("joins").notNull().default(0),
    leaves: integer("leaves").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.day] })],
);

export const botHourlyActivity = sqliteTable(
  "bot_hourly_activity",
  {
    botId: integer("bot_id").notNull(),
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    messages: integer("messages").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.weekday, t.hour] })],
);

// One row per user per day with messages in any chat of the bot, with running totals up to
// and including that day: a user's messages and active days in a range are two lookups
// (the last row <= to minus the last row < from), whatever the number of days or messages.
export const botUserDays = sqliteTable(
  "bot_user_days",
  {
    botId: integer("bot_id").notNull(),
    userId: integer("user_id").notNull(),
    day: text("day").notNull(),
    messages: integer("messages").notNull(),
    cumMessages: integer("cum_messages").notNull(),
    cumDays: integer("cum_days").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.userId, t.day] })],
);

// The users who ever wrote, with the last day they did (an upper bound once a chat's rows are
// deleted): which users a range can involve, without reading their days.
export const botUserActivity = sqliteTable(
  "bot_user_activity",
  {
    botId: integer("bot_id").notNull(),
    userId: integer("user_id").notNull(),
    lastDay: text("last_day").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.userId] }), index("bot_user_activity_bot_last_idx").on(t.botId, t.lastDay, t.userId)],
);

// Joins and leaves, kept for analytics (from chat_member and new/left_chat_member).
export const memberEvents = sqliteTable(
  "member_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    userId: integer("user_id").notNull(),
    event: text("event").$type<"join" | "leave">().notNull(),
    date: integer("date").notNull(),
    updateId: integer("update_id"),
  },
  (t) => [index("member_events_bot_chat_date_idx").on(t.botId, t.chatId, t.date)],
);

export const aiUsage = sqliteTable(
  "ai_usage",
  {
    botId: integer("bot_id").notNull(),
    userId: integer("user_id").notNull(),
    day: text("day").notNull(),
    requests: integer("requests").notNull().default(0),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    failures: integer("failures").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.userId, t.day] })],
);

export const broadcasts = sqliteTable("broadcasts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  botId: integer("bot_id")
    .notNull()
    .references(() => bots.id, { onDelete: "cascade" }),
  text: text("text").notNull(),
  parseMode: text("parse_mode"),
  // pending | running | done | cancelled
  status: text("status").notNull().default("pending"),
  taskId: integer("task_id"),
  contentItemId: integer("content_item_id"),
  createdAt: integer("created_at").notNull().default(now),
  finishedAt: integer("finished_at"),
});

export const broadcastDeliveries = sqliteTable(
  "broadcast_deliveries",
  {
    broadcastId: integer("broadcast_id")
      .notNull()
      .references(() => broadcasts.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    // pending | sent | failed | skipped
    status: text("status").notNull().default("pending"),
    error: text("error"),
    messageId: integer("message_id"),
    attempts: integer("attempts").notNull().default(0),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.chatId] }), index("broadcast_deliveries_status_idx").on(t.broadcastId, t.status)],
);

/**
 * AI usage per scope and period, for the token and request limits: scope "user" (subject =
 * the user id), "chat" (the chat id) or "bot" (subject 0); period "YYYY-MM-DD" or "YYYY-MM".
 */
export const aiUsageTotals = sqliteTable(
  "ai_usage_totals",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    scope: text("scope").$type<"user" | "chat" | "bot">().notNull(),
    subjectId: integer("subject_id").notNull(),
    period: text("period").notNull(),
    requests: integer("requests").notNull().default(0),
    tokens: integer("tokens").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.scope, t.subjectId, t.period] })],
);

/** The one "limit reached" message a user got for a limit and period (so it is sent once). */
export const aiLimitNotices = sqliteTable(
  "ai_limit_notices",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull(),
    // "<scope>:<period kind>:<period>", e.g. "chat:day:2026-12-01".
    limitKey: text("limit_key").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.botId, t.userId, t.limitKey] })],
);
