// AI modes (named system prompts the staff keep per bot) and each chat's AI settings (its
// mode and model), chosen in the chat with /mode and /model.
import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bots } from "./bots";
import { now } from "./columns";

export const aiModes = sqliteTable(
  "ai_modes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    /** Shown in /mode and typed after it: [a-z0-9_-]{1,32}. */
    name: text("name").notNull(),
    prompt: text("prompt").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("ai_modes_bot_name").on(t.botId, t.name)],
);

/** A chat's choice; no row (or nulls) = the bot's system prompt and models. */
export const chatAiSettings = sqliteTable(
  "chat_ai_settings",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    chatId: integer("chat_id").notNull(),
    // A deleted mode falls back to the bot's prompt (set null).
    modeId: integer("mode_id"),
    /** One of the allowed models (src/ai/models.ts), checked again when used. */
    model: text("model"),
    updatedBy: integer("updated_by"),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.botId, t.chatId] }),
    foreignKey({ columns: [t.modeId], foreignColumns: [aiModes.id] }).onDelete("set null"),
    index("chat_ai_settings_mode").on(t.modeId),
  ],
);
