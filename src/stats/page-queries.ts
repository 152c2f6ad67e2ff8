// What the statistics pages read: chats with their latest collected figures, totals by
// type, member history from snapshots and the group analytics rollups. The chat scope and
// the totals are the JSON API's own (store.ts currentChats, totals.ts), so the dashboard,
// its CSV export and the API count the same chats.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, or, type SQL, sql } from "drizzle-orm";
import { type ChatType, chatSnapshots, chatStats, chats } from "../db/schema";
import type { Db } from "../env";
import { AppError } from "../lib/errors";
import { containsPattern, searchTermProblem } from "../lib/validate";
import { analyticsSummary } from "./analytics";
import { defaultRange, startOfDay } from "./dates";
import { memberHistory } from "./history";
import { currentChats } from "./store";
import { failedChats, chatTotals as sharedTotals } from "./totals";
import type { ChatAdministrator } from "./types";

export const CHAT_TYPES: ChatType[] = ["channel", "supergroup", "group", "private"];

export interface ChatStatRow {
  id: number;
  chatId: number;
  type: ChatType;
  title: string | null;
  username: string | null;
  firstName: string | null;
  botRole: string | null;
  memberCount: number | null;
  adminCount: number | null;
  error: string | null;
  /** null: never collected (the page says "not collected yet", never 0). */
  collectedAt: number | null;
  /** When the platform first saw the chat. */
  firstSeenAt: number;
  /** From the latest collection (empty when never collected or not readable). */
  administrators: ChatAdministrator[];
}

export { containsPattern };

/** A page's `?q=` search term, trimmed; a term D1 cannot search for is a 400 with the reason. */
export function pageSearchTerm(raw: string | undefined): string {
  const q = (raw ?? "").trim();
  const problem = searchTermProblem(q);
  if (problem) throw new AppError("BAD_REQUEST", `The search text is not usable: ${problem}`);
  return q;
}

export function chatSearch(q: string | undefined): SQL | undefined {
  const term = q?.trim();
  if (!term) return undefined;
  const p = containsPattern(term);
  const byType = CHAT_TYPES.filter((t) => t.startsWith(term.toLowerCase()));
  return or(
    sql`${chats.title} LIKE ${p} ESCAPE '\\'`,
    sql`${chats.username} LIKE ${p} ESCAPE '\\'`,
    sql`${chats.firstName} LIKE ${p} ESCAPE '\\'`,
    sql`CAST(${chats.chatId} AS TEXT) LIKE ${p} ESCAPE '\\'`,
    byType.length ? inArray(chats.type, byType) : undefined,
  );
}

const rowColumns = {
  id: chats.id,
  chatId: chats.chatId,
  type: chats.type,
  title: chats.title,
  username: chats.username,
  firstName: chats.firstName,
  botRole: chats.botRole,
  memberCount: chatStats.memberCount,
  adminCount: chatStats.adminCount,
  error: chatStats.error,
  collectedAt: chatStats.collectedAt,
  firstSeenAt: chats.firstSeenAt,
  administrators: sql<string | null>`json_extract(${chatStats.result}, '$.administrators')`,
};

type RawRow = Omit<ChatStatRow, "administrators"> & { administrators: string | null };

function withAdmins(r: RawRow): ChatStatRow {
  let admins: ChatAdministrator[] = [];
  try {
    const parsed: unknown = r.administrators ? JSON.parse(r.administrators) : [];
    if (Array.isArray(parsed)) admins = parsed as ChatAdministrator[];
  } catch {
    // an unreadable stored result shows no administrators
  }
  return { ...r, administrators: admins };
}

/** One page of chats (keyset on chats.id), with their latest collected statistics. */
export async function chatStatRows(
  db: Db,
  botId: number,
  opts: { q?: string; types?: ChatType[]; afterId?: number; chatIds?: number[]; limit: number; offset?: number },
): Promise<ChatStatRow[]> {
  const rows = await db
    .select(rowColumns)
    .from(chats)
    .leftJoin(chatStats, and(eq(chatStats.botId, chats.botId), eq(chatStats.chatId, chats.chatId)))
    .where(
      and(
        currentChats(botId),
        chatSearch(opts.q),
        opts.types ? inArray(chats.type, opts.types) : undefined,
        opts.afterId ? gt(chats.id, opts.afterId) : undefined,
        opts.chatIds ? inArray(chats.chatId, opts.chatIds) : undefined,
      ),
    )
    .orderBy(asc(chats.id))
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .all();
  return (rows as RawRow[]).map(withAdmins);
}

export interface Totals {
  chats: number;
  members: number;
  errors: number;
  /** Groups, supergroups and channels, and how many of them have been collected at least once. */
  collectable: number;
  collected: number;
  byType: Record<ChatType, { chats: number; members: number; collected_chats: number }>;
}

/** The same totals the JSON API answers (stats/totals.ts), in the dashboard's shape. */
export async function chatTotals(db: Db, botId: number): Promise<Totals> {
  const t = await sharedTotals(db, botId);
  return {
    chats: t.chats,
    members: t.members,
    errors: t.errors,
    byType: t.by_type,
    collectable: t.chats - t.by_type.private.chats,
    collected: t.collected_chats,
  };
}

/** Chats whose latest collection failed. */
export async function chatErrors(db: Db, botId: number, limit = 20) {
  return db
    .select({ chatId: chatStats.chatId, title: chats.title, error: chatStats.error, collectedAt: chatStats.collectedAt })
    .from(chatStats)
    .innerJoin(chats, and(eq(chats.botId, chatStats.botId), eq(chats.chatId, chatStats.chatId)))
    .where(failedChats(botId))
    .orderBy(desc(chatStats.collectedAt))
    .limit(limit)
    .all();
}

/** chat_stats.error holds a JSON ChatStatsError or plain text; show its description. */
export function errorText(raw: string | null): string {
  if (!raw) return "";
  try {
    const e = JSON.parse(raw) as { description?: string; kind?: string; error_code?: number | null };
    if (e && typeof e === "object" && e.description) return `${e.kind ? `${e.kind}: ` : ""}${e.description}`;
  } catch {
    // plain text
  }
  return raw;
}

export function dayString(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 10);
}

export interface Analytics {
  memberHistory: { t: number; members: number | null }[];
  /** The first two snapshot periods in the range (members summed over the scope's chats): enough to tell none, one, or more. */
  firstSnapshots: { t: number; members: number }[];
  daily: { day: string; messages: number; joins: number; leaves: number }[];
  heatmap: number[][]; // [weekday 0..6][hour 0..23]
  topPosters: { userId: number; name: string; messages: number }[];
}

/** The last 30 days of member history and group analytics, from the statistics service. */
export async function analytics(db: Db, botId: number, chatId?: number): Promise<Analytics> {
  const scope = { botId, chatId, ...defaultRange(30) };
  const [history, summary, firstSnapshots] = await Promise.all([
    memberHistory(db, scope),
    analyticsSummary(db, scope, { top: 10 }),
    db
      .select({ t: chatSnapshots.periodStart, members: sql<number>`coalesce(sum(${chatSnapshots.memberCount}), 0)` })
      .from(chatSnapshots)
      .where(
        and(
          eq(chatSnapshots.botId, botId),
          chatId === undefined ? undefined : eq(chatSnapshots.chatId, chatId),
          gte(chatSnapshots.periodStart, startOfDay(scope.from)),
          isNotNull(chatSnapshots.memberCount),
        ),
      )
      .groupBy(chatSnapshots.periodStart)
      .orderBy(asc(chatSnapshots.periodStart))
      .limit(2)
      .all(),
  ]);
  const joins = new Map(summary.joins_leaves_per_day.map((d) => [d.day, d]));
  return {
    memberHistory: history.days
      .filter((d) => d.member_count !== null)
      .map((d) => ({ t: Date.parse(`${d.day}T00:00:00Z`) / 1000, members: d.member_count })),
    firstSnapshots,
    daily: summary.messages_per_day.map((d) => ({
      day: d.day,
      messages: d.count,
      joins: joins.get(d.day)?.joins ?? 0,
      leaves: joins.get(d.day)?.leaves ?? 0,
    })),
    heatmap: summary.heatmap.cells,
    topPosters: summary.top_posters.map((p) => ({
      userId: p.user_id,
      messages: p.messages,
      name: p.name || (p.username ? `@${p.username}` : `user ${p.user_id}`),
    })),
  };
}

/** Groups and channels to scope the charts to (private chats have no group analytics). */
export async function chatOptions(db: Db, botId: number): Promise<{ chatId: number; title: string }[]> {
  const rows = await db
    .select({ chatId: chats.chatId, title: chats.title, username: chats.username })
    .from(chats)
    .where(and(currentChats(botId), inArray(chats.type, ["group", "supergroup", "channel"])))
    .orderBy(asc(chats.title))
    .limit(500)
    .all();
  return rows.map((r) => ({ chatId: r.chatId, title: r.title ?? (r.username ? `@${r.username}` : String(r.chatId)) }));
}
