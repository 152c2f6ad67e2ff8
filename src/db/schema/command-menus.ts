// What the platform last told Telegram about each of a bot's command menus (setMyCommands
// per scope and language), so a sync skips the menus whose list has not changed and the
// bot's API answer can say when the menus were synced and what failed.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bots } from "./bots";

export const botCommandMenus = sqliteTable(
  "bot_command_menus",
  {
    botId: integer("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    // Telegram's BotCommandScope type: default, all_private_chats, all_group_chats, all_chat_administrators.
    scope: text("scope").notNull(),
    // language_code given to setMyCommands; "" for none (every language without its own list).
    lang: text("lang").notNull(),
    // SHA-256 of (the bot's Telegram id, scope, language, list) that Telegram accepted; null until it has.
    hash: text("hash"),
    commandCount: integer("command_count").notNull().default(0),
    syncedAt: integer("synced_at"),
    attemptedAt: integer("attempted_at").notNull(),
    // Telegram's refusal or the network failure of the last attempt; null when it succeeded.
    lastError: text("last_error"),
  },
  (t) => [primaryKey({ columns: [t.botId, t.scope, t.lang] })],
);
