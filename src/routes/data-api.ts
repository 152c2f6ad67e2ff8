// Stored data for operators and the dashboard (bearer token or staff session):
//   GET /api/chats     ?bot_id&type&q&cursor&limit
//   GET /api/users     ?bot_id&q&cursor&limit
//   GET /api/messages  ?bot_id&chat_id&kind&direction&since&until&q&cursor&limit
//       with q (a text search): each request reads at most SEARCH_WINDOW (10,000) messages,
//       newest first, and answers `search: { window, window_ran_out }`; when the window ran
//       out, next_cursor continues below it even if the page holds fewer results than limit.
//   GET /api/feedback  ?bot_id&cursor&limit
// plus /api/content and /api/commands (data-api/). Lists answer { count, results, next_cursor }:
// newest first, and next_cursor (an opaque id) fetches the page after this one.
import { and, desc, eq, gte, isNull, lt, lte, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { SEARCH_WINDOW, searchFloor } from "../db/message-search";
import { chats, feedback, messages, tgUsers } from "../db/schema";
import type { AppEnv } from "../env";
import { containsPattern, queryOf, zSearchTerm } from "../lib/validate";
import { commandsApi } from "./data-api/commands";
import { contentApi } from "./data-api/content";

const intStr = z
  .string()
  .regex(/^-?\d{1,16}$/, "must be an integer")
  .transform(Number)
  .refine(Number.isSafeInteger, "out of range");

const page = {
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "invalid cursor")
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, "limit must be 1..500")
    .optional(),
};

/** Case-insensitive "contains", with "%" and "_" in the user's text taken literally. */
export const contains = (col: SQLWrapper, q: string): SQL => sql`${col} LIKE ${containsPattern(q)} ESCAPE '\\'`;

/** Runs a newest-first page: fetches one row more than asked to know whether there is a next page. */
export async function pageOf<T extends { id: number }>(
  fetchRows: (limit: number) => Promise<T[]>,
  limit = 50,
): Promise<{ count: number; results: T[]; next_cursor: string | null }> {
  const rows = await fetchRows(limit + 1);
  const more = rows.length > limit;
  const results = more ? rows.slice(0, limit) : rows;
  const last = results[results.length - 1];
  return { count: results.length, results, next_cursor: more && last ? String(last.id) : null };
}

const chatsQuery = z.strictObject({
  bot_id: intStr.optional(),
  type: z.enum(["private", "group", "supergroup", "channel"]).optional(),
  q: zSearchTerm.optional(),
  // A group upgraded to a supergroup is one chat: its old row (a pointer to the new id) is
  // left out unless asked for.
  include_migrated: z.enum(["0", "1"]).optional(),
  ...page,
});

const usersQuery = z.strictObject({ bot_id: intStr.optional(), q: zSearchTerm.optional(), ...page });

const messagesQuery = z.strictObject({
  bot_id: intStr.optional(),
  chat_id: intStr.optional(),
  kind: z.enum(["message", "edited", "channel_post", "callback_query", "service"]).optional(),
  direction: z.enum(["in", "out"]).optional(),
  since: intStr.optional(),
  until: intStr.optional(),
  q: zSearchTerm.optional(),
  ...page,
});

const feedbackQuery = z.strictObject({ bot_id: intStr.optional(), ...page });

const where = (conds: (SQL | undefined)[]) => and(...conds.filter((x): x is SQL => x !== undefined));

export const dataApi = new Hono<AppEnv>()
  // Auth per route (not use("*")): this app is mounted at /api, next to others' routes.
  .route("/content", contentApi)
  .route("/commands", commandsApi)
  .get("/chats", async (c) => {
    const q = queryOf(c, chatsQuery);
    const cond = where([
      q.bot_id !== undefined ? eq(chats.botId, q.bot_id) : undefined,
      q.type ? eq(chats.type, q.type) : undefined,
      q.include_migrated === "1" ? undefined : isNull(chats.migratedToChatId),
      q.q ? or(contains(chats.title, q.q), contains(chats.username, q.q)) : undefined,
      q.cursor !== undefined ? lt(chats.id, q.cursor) : undefined,
    ]);
    const result = await pageOf((limit) => c.var.db.select().from(chats).where(cond).orderBy(desc(chats.id)).limit(limit).all(), q.limit);
    return c.json({ ...result, results: result.results.map(chatJson) });
  })
  .get("/users", async (c) => {
    const q = queryOf(c, usersQuery);
    const cond = where([
      q.bot_id !== undefined ? eq(tgUsers.botId, q.bot_id) : undefined,
      q.q ? or(contains(tgUsers.username, q.q), contains(tgUsers.firstName, q.q)) : undefined,
      q.cursor !== undefined ? lt(tgUsers.id, q.cursor) : undefined,
    ]);
    const result = await pageOf(
      (limit) => c.var.db.select().from(tgUsers).where(cond).orderBy(desc(tgUsers.id)).limit(limit).all(),
      q.limit,
    );
    return c.json({ ...result, results: result.results.map(userJson) });
  })
  .get("/messages", async (c) => {
    const q = queryOf(c, messagesQuery);
    const cond = where([
      q.bot_id !== undefined ? eq(messages.botId, q.bot_id) : undefined,
      q.chat_id !== undefined ? eq(messages.chatId, q.chat_id) : undefined,
      q.kind ? eq(messages.kind, q.kind) : undefined,
      q.direction ? eq(messages.direction, q.direction) : undefined,
      q.since !== undefined ? gte(messages.date, q.since) : undefined,
      q.until !== undefined ? lte(messages.date, q.until) : undefined,
      q.cursor !== undefined ? lt(messages.id, q.cursor) : undefined,
    ]);
    const list = (extra: (SQL | undefined)[]) => (limit: number) =>
      c.var.db
        .select()
        .from(messages)
        .where(where([cond, ...extra]))
        .orderBy(desc(messages.id))
        .limit(limit)
        .all();
    if (!q.q) {
      const result = await pageOf(list([]), q.limit);
      return c.json({ ...result, results: result.results.map(messageJson) });
    }
    // A text search reads at most SEARCH_WINDOW messages per request (the newest that match the
    // other filters, below the cursor), so a word no message contains costs the same at any
    // table size. When the window runs out before the page is full, next_cursor continues
    // below it: a page may hold fewer results than `limit`, even none, and still go on.
    const floor = await searchFloor(c.var.db, cond);
    const result = await pageOf(list([contains(messages.text, q.q), floor !== undefined ? gte(messages.id, floor) : undefined]), q.limit);
    const ranOut = result.next_cursor === null && floor !== undefined;
    return c.json({
      ...result,
      results: result.results.map(messageJson),
      next_cursor: ranOut ? String(floor) : result.next_cursor,
      search: { window: SEARCH_WINDOW, window_ran_out: ranOut },
    });
  })
  .get("/feedback", async (c) => {
    const q = queryOf(c, feedbackQuery);
    const cond = where([
      q.bot_id !== undefined ? eq(feedback.botId, q.bot_id) : undefined,
      q.cursor !== undefined ? lt(feedback.id, q.cursor) : undefined,
    ]);
    const result = await pageOf(
      (limit) => c.var.db.select().from(feedback).where(cond).orderBy(desc(feedback.id)).limit(limit).all(),
      q.limit,
    );
    return c.json({
      ...result,
      results: result.results.map((f) => ({
        id: f.id,
        bot_id: f.botId,
        chat_id: f.chatId,
        user_id: f.userId,
        text: f.text,
        update_id: f.updateId,
        created_at: f.createdAt,
      })),
    });
  });

export function chatJson(r: typeof chats.$inferSelect) {
  return {
    id: r.id,
    bot_id: r.botId,
    chat_id: r.chatId,
    type: r.type,
    title: r.title,
    username: r.username,
    first_name: r.firstName,
    last_name: r.lastName,
    is_forum: r.isForum,
    bot_role: r.botRole,
    migrated_to_chat_id: r.migratedToChatId,
    first_seen_at: r.firstSeenAt,
    last_seen_at: r.lastSeenAt,
  };
}

export function userJson(r: typeof tgUsers.$inferSelect) {
  return {
    id: r.id,
    bot_id: r.botId,
    user_id: r.userId,
    first_name: r.firstName,
    last_name: r.lastName,
    username: r.username,
    language_code: r.languageCode,
    is_bot: r.isBot,
    preferences: r.preferences,
    blocked_bot: r.blockedBot,
    first_seen_at: r.firstSeenAt,
    last_seen_at: r.lastSeenAt,
  };
}

export function messageJson(r: typeof messages.$inferSelect) {
  return {
    id: r.id,
    bot_id: r.botId,
    chat_id: r.chatId,
    message_id: r.messageId,
    update_id: r.updateId,
    from_user_id: r.fromUserId,
    sender_chat_id: r.senderChatId,
    thread_id: r.threadId,
    date: r.date,
    edit_date: r.editDate,
    kind: r.kind,
    service_type: r.serviceType,
    text: r.text,
    entities: r.entities,
    media_type: r.mediaType,
    file_id: r.fileId,
    callback_query_id: r.callbackQueryId,
    callback_data: r.callbackData,
    reply_to_message_id: r.replyToMessageId,
    direction: r.direction,
    raw: r.raw,
    created_at: r.createdAt,
  };
}
