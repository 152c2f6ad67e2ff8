// Background tasks and broadcasts with their deliveries.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bots } from "./bots";
import { now } from "./columns";

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
  // URL buttons under the message: rows of {text, url} (src/tasks/broadcast-schedule.ts).
  buttons: text("buttons", { mode: "json" }).$type<{ text: string; url: string }[][]>(),
  // Not before this time (epoch seconds); null: at once.
  sendAt: integer("send_at"),
  // daily | weekly: when one occurrence is done, the next is made for the same audience.
  repeatEvery: text("repeat_every").$type<"daily" | "weekly">(),
  // The audience it was made for (all, private, groups, channels, subscribers), null for a list of chats.
  audience: text("audience"),
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
