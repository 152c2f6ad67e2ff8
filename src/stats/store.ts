// Reading the chats to collect and storing what was collected: the latest result per chat
// (chat_stats), the bot's role and title on chats, the migration link, and optionally a
// snapshot for the current period (idempotent: a period's second write is a no-op).
import { and, asc, eq, gt, isNull, ne, type SQL, sql } from "drizzle-orm";
import { chatSnapshots, chatStats, chats } from "../db/schema";
import type { Db } from "../env";
import { migrateChat } from "../telegram/ingest/migrate";
import { type ChatTarget, errorText } from "./collect-chat";
import type { BotRole, ChatStats } from "./types";

type ChatRow = typeof chats.$inferSelect;

export function targetOf(row: ChatRow): ChatTarget {
  return {
    chatId: row.chatId,
    type: row.type,
    title: row.title,
    username: row.username,
    firstName: row.firstName,
    lastName: row.lastName,
    firstSeenAt: row.firstSeenAt,
    botRole: BOT_ROLES.has(row.botRole as BotRole) ? (row.botRole as BotRole) : null,
  };
}

const BOT_ROLES: ReadonlySet<BotRole> = new Set(["creator", "administrator", "member", "restricted", "left", "kicked"]);

/** The bot's role per chat as the collection read it (ChatTarget.botRole), for saveResults. */
export const rolesRead = (targets: ChatTarget[]): Map<number, BotRole | null> => new Map(targets.map((t) => [t.chatId, t.botRole ?? null]));

/** The chat row of this bot, following a migration link to the supergroup when there is one. */
export async function findChat(db: Db, botId: number, chatId: number): Promise<ChatRow | undefined> {
  const row = await db
    .select()
    .from(chats)
    .where(and(eq(chats.botId, botId), eq(chats.chatId, chatId)))
    .get();
  if (row?.migratedToChatId == null) return row;
  const moved = await db
    .select()
    .from(chats)
    .where(and(eq(chats.botId, botId), eq(chats.chatId, row.migratedToChatId)))
    .get();
  return moved ?? row;
}

/**
 * The bot's chats as they are now. A group upgraded to a supergroup lives on under the new
 * id; its old row stays only as a pointer (migrated_to_chat_id), so every count, list and
 * export leaves it out, or the chat would be counted twice.
 */
export const currentChats = (botId: number) => and(eq(chats.botId, botId), isNull(chats.migratedToChatId));

/** Groups, supergroups and channels the bulk collection covers (private chats are not collected in bulk). */
export const bulkChats = (botId: number) => and(currentChats(botId), ne(chats.type, "private"));

/** The next `limit` bulk chats after `cursor` (chat id order). */
export async function chatsAfter(db: Db, botId: number, cursor: number | null, limit: number): Promise<ChatRow[]> {
  const where = cursor === null ? bulkChats(botId) : and(bulkChats(botId), gt(chats.chatId, cursor));
  return db.select().from(chats).where(where).orderBy(asc(chats.chatId)).limit(limit).all();
}

const STATEMENTS_PER_BATCH = 60;

/**
 * Stores results in a few D1 batches (each atomic). `periodStart` also records snapshots.
 * `read`: the bot's role per chat as it was when the collection read the chats (rolesRead):
 * chats.bot_role then changes only if nobody changed it since (an ingested my_chat_member is
 * newer than what the collector saw), and is not rewritten when the collection found the same.
 */
export async function saveResults(
  db: Db,
  botId: number,
  results: ChatStats[],
  periodStart?: number,
  read?: Map<number, BotRole | null>,
): Promise<void> {
  // A migration found by the collector moves the chat the same way ingest does (idempotent),
  // so a group whose upgrade message the bot never saw keeps its history (snapshots and
  // latest stats included) under the new id.
  for (const r of results) {
    if (r.migrated_from_chat_id !== undefined) await migrateChat(db, botId, r.migrated_from_chat_id, r.chat_id);
  }
  const statements = results.flatMap((r) => statementsFor(db, botId, r, periodStart, read));
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const chunk = statements.slice(i, i + STATEMENTS_PER_BATCH);
    if (chunk.length > 0) await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
}

function statementsFor(db: Db, botId: number, r: ChatStats, periodStart?: number, read?: Map<number, BotRole | null>) {
  const collectedAt = r.collected_at ?? Math.floor(Date.now() / 1000);
  const error = errorText(r.error);
  const out = [];
  out.push(
    db
      .insert(chatStats)
      .values({
        botId,
        chatId: r.chat_id,
        result: r as unknown as Record<string, unknown>,
        memberCount: r.member_count,
        adminCount: r.admin_count,
        error,
        collectedAt,
      })
      .onConflictDoUpdate({
        target: [chatStats.botId, chatStats.chatId],
        set: {
          result: sql`excluded.result`,
          memberCount: sql`excluded.member_count`,
          adminCount: sql`excluded.admin_count`,
          error: sql`excluded.error`,
          collectedAt: sql`excluded.collected_at`,
        },
      }),
  );
  const chatUpdate: { [K in keyof ChatRow]?: ChatRow[K] | SQL } = {};
  if (r.bot_role) {
    const before = r.migrated_from_chat_id === undefined ? read?.get(r.chat_id) : undefined;
    if (before === undefined) chatUpdate.botRole = r.bot_role;
    else if (before !== r.bot_role) {
      chatUpdate.botRole = sql`case when ${chats.botRole} is ${before} then ${r.bot_role} else ${chats.botRole} end`;
    }
  }
  if (!r.error && r.type !== "private") {
    chatUpdate.title = r.title;
    chatUpdate.username = r.username;
    chatUpdate.type = r.type;
  }
  if (Object.keys(chatUpdate).length > 0) {
    out.push(
      db
        .update(chats)
        .set(chatUpdate)
        .where(and(eq(chats.botId, botId), eq(chats.chatId, r.chat_id))),
    );
  }
  if (periodStart !== undefined) {
    out.push(
      db
        .insert(chatSnapshots)
        .values({
          botId,
          chatId: r.chat_id,
          periodStart,
          memberCount: r.member_count,
          adminCount: r.admin_count,
          botRole: r.bot_role,
          error,
          collectedAt,
        })
        .onConflictDoNothing(),
    );
  }
  return out;
}

/** Snapshot periods: one hour. The cron runs every 15 minutes, so a period gets several chances. */
export const SNAPSHOT_PERIOD_SECONDS = 3600;
export const periodStartOf = (unixSeconds: number): number => Math.floor(unixSeconds / SNAPSHOT_PERIOD_SECONDS) * SNAPSHOT_PERIOD_SECONDS;
