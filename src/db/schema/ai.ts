// AI usage counters, the per-scope totals behind the limits, and the limit notices.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bots } from "./bots";
import { now } from "./columns";

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
