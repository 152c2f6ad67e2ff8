// Statistics and analytics: snapshots, the latest stats per chat, the rollups kept at
// ingest (per chat and bot-wide) and the member events.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bots } from "./bots";

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
