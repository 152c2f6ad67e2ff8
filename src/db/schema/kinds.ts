// The update kinds beyond messages and membership: reactions (per user, and the anonymous
// totals channels get) and joins attributed to an invite link or a join request. All keyed
// by (bot_id, chat_id) like the rest, so a supergroup migration moves them too (ingest/migrate.ts).
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// A user's (or an anonymous admin's chat's) current reactions on a message, from
// message_reaction: each update replaces the actor's set for that message.
export const messageReactions = sqliteTable(
  "message_reactions",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    // The user id, or the actor chat's id when actorIsChat (anonymous group admins).
    actorId: integer("actor_id").notNull(),
    actorIsChat: integer("actor_is_chat", { mode: "boolean" }).notNull().default(false),
    // The emoji itself, "custom:<custom_emoji_id>" or "paid".
    reaction: text("reaction").notNull(),
    date: integer("date").notNull(),
    updateId: integer("update_id"),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.messageId, t.actorId, t.reaction] })],
);

// The anonymous totals per reaction on a message (message_reaction_count: channels), as
// Telegram last reported them: each update replaces the message's set.
export const messageReactionCounts = sqliteTable(
  "message_reaction_counts",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    reaction: text("reaction").notNull(),
    count: integer("count").notNull(),
    date: integer("date").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.messageId, t.reaction] })],
);

// Net reactions per chat and UTC day of the change (added minus removed), kept at ingest.
export const chatReactionDaily = sqliteTable(
  "chat_reaction_daily",
  {
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    day: text("day").notNull(),
    reactions: integer("reactions").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.chatId, t.day] })],
);

// Joins through an invite link or a join request (chat_member with invite_link /
// via_join_request: kind "join"), and the join requests themselves (kind "request").
export const inviteJoins = sqliteTable(
  "invite_joins",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botId: integer("bot_id").notNull(),
    chatId: integer("chat_id").notNull(),
    userId: integer("user_id").notNull(),
    kind: text("kind").$type<"join" | "request">().notNull(),
    // As Telegram shows it (a link the bot did not create comes with its end hidden).
    inviteLink: text("invite_link"),
    linkName: text("link_name"),
    // The link's creator: who invited.
    creatorUserId: integer("creator_user_id"),
    viaJoinRequest: integer("via_join_request", { mode: "boolean" }).notNull().default(false),
    date: integer("date").notNull(),
    updateId: integer("update_id").notNull(),
  },
  (t) => [
    uniqueIndex("invite_joins_bot_update_uq").on(t.botId, t.updateId),
    index("invite_joins_bot_chat_date_idx").on(t.botId, t.chatId, t.date),
  ],
);
