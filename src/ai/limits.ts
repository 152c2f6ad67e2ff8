// AI limits one person (or one chat) cannot exhaust: requests and tokens per user, per
// chat and per bot, per UTC day and month. Usage is counted in ai_usage_totals after each
// answer; the check runs before a provider is called, so one answer may overshoot a token
// limit by its own size, never more. A user who hits a limit is told once per limit and period.
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { BotRow } from "../db/bots";
import { type AiLimitsSetting, aiLimitNotices, aiUsageTotals } from "../db/schema";
import type { Db } from "../env";

export type Scope = "user" | "chat" | "bot";
export type PeriodKind = "day" | "month";
type Pair = { requests: number; tokens: number };
export type AiLimits = Record<Scope, Record<PeriodKind, Pair>>;

/** What applies to whatever bots.ai_limits leaves out (0 = no limit). */
export const DEFAULT_AI_LIMITS: AiLimits = {
  // user.day.requests is bots.ai_daily_quota (the setting that existed first).
  user: { day: { requests: 50, tokens: 50_000 }, month: { requests: 1_000, tokens: 1_000_000 } },
  chat: { day: { requests: 500, tokens: 250_000 }, month: { requests: 5_000, tokens: 5_000_000 } },
  bot: { day: { requests: 5_000, tokens: 2_000_000 }, month: { requests: 100_000, tokens: 40_000_000 } },
};

const count = z.number().int().min(0).max(1_000_000_000);
const pair = z.strictObject({ requests: count.optional(), tokens: count.optional() });
const periods = z.strictObject({ day: pair.optional(), month: pair.optional() });
/** The API's shape of bots.ai_limits (any part may be left out). */
export const aiLimitsSchema = z.strictObject({ user: periods.optional(), chat: periods.optional(), bot: periods.optional() });

export function effectiveLimits(bot: Pick<BotRow, "aiLimits" | "aiDailyQuota">): AiLimits {
  const set: AiLimitsSetting = bot.aiLimits ?? {};
  const out = {} as AiLimits;
  for (const scope of ["user", "chat", "bot"] as const) {
    out[scope] = {} as Record<PeriodKind, Pair>;
    for (const kind of ["day", "month"] as const) {
      const d = DEFAULT_AI_LIMITS[scope][kind];
      const v = set[scope]?.[kind] ?? {};
      out[scope][kind] = { requests: v.requests ?? d.requests, tokens: v.tokens ?? d.tokens };
    }
  }
  out.user.day.requests = bot.aiDailyQuota;
  return out;
}

/** The UTC day ("2026-12-01") and month ("2026-12") of a time in ms. */
export function periodsOf(ms: number): Record<PeriodKind, string> {
  const day = new Date(ms).toISOString().slice(0, 10);
  return { day, month: day.slice(0, 7) };
}

export interface UsageSubject {
  botId: number;
  userId: number;
  chatId: number;
}

const subjectOf = (s: UsageSubject, scope: Scope) => (scope === "user" ? s.userId : scope === "chat" ? s.chatId : 0);

export interface LimitHit {
  scope: Scope;
  kind: PeriodKind;
  period: string;
  what: "requests" | "tokens";
  limit: number;
}

/** The first limit already reached for this user in this chat, or null. */
export async function limitReached(db: Db, bot: Pick<BotRow, "aiLimits" | "aiDailyQuota">, s: UsageSubject, nowMs: number) {
  const limits = effectiveLimits(bot);
  const p = periodsOf(nowMs);
  const rows = await db
    .select()
    .from(aiUsageTotals)
    .where(
      and(
        eq(aiUsageTotals.botId, s.botId),
        inArray(aiUsageTotals.period, [p.day, p.month]),
        sql`((${aiUsageTotals.scope} = 'user' AND ${aiUsageTotals.subjectId} = ${s.userId})
          OR (${aiUsageTotals.scope} = 'chat' AND ${aiUsageTotals.subjectId} = ${s.chatId})
          OR (${aiUsageTotals.scope} = 'bot' AND ${aiUsageTotals.subjectId} = 0))`,
      ),
    )
    .all();
  // Narrowest first: the user learns about their own limit before the chat's or the bot's.
  for (const scope of ["user", "chat", "bot"] as const) {
    for (const kind of ["day", "month"] as const) {
      const row = rows.find((r) => r.scope === scope && r.subjectId === subjectOf(s, scope) && r.period === p[kind]);
      const lim = limits[scope][kind];
      for (const what of ["requests", "tokens"] as const) {
        if (lim[what] > 0 && (row?.[what] ?? 0) >= lim[what]) return { scope, kind, period: p[kind], what, limit: lim[what] } as LimitHit;
      }
    }
  }
  return null;
}

/** Adds one answer's requests and tokens to the user's, the chat's and the bot's day and month. */
export async function countUsage(db: Db, s: UsageSubject, nowMs: number, add: { requests: number; tokens: number }): Promise<void> {
  const p = periodsOf(nowMs);
  const rows = (["user", "chat", "bot"] as const).flatMap((scope) =>
    [p.day, p.month].map((period) => ({ botId: s.botId, scope, subjectId: subjectOf(s, scope), period, ...add })),
  );
  await db
    .insert(aiUsageTotals)
    .values(rows)
    .onConflictDoUpdate({
      target: [aiUsageTotals.botId, aiUsageTotals.scope, aiUsageTotals.subjectId, aiUsageTotals.period],
      set: {
        requests: sql`${aiUsageTotals.requests} + excluded.requests`,
        tokens: sql`${aiUsageTotals.tokens} + excluded.tokens`,
      },
    });
}

/** True the first time this user is told about this limit in this period (then false). */
export async function firstNotice(db: Db, s: UsageSubject, hit: LimitHit): Promise<boolean> {
  const row = await db
    .insert(aiLimitNotices)
    .values({ botId: s.botId, userId: s.userId, limitKey: `${hit.scope}:${hit.kind}:${hit.period}` })
    .onConflictDoNothing()
    .returning({ userId: aiLimitNotices.userId })
    .get();
  return row !== undefined;
}

/** A user's own requests and tokens today and this month, with their limits (0 = none). */
export async function userUsage(db: Db, bot: Pick<BotRow, "id" | "aiLimits" | "aiDailyQuota">, userId: number, nowMs: number) {
  const p = periodsOf(nowMs);
  const rows = await db
    .select()
    .from(aiUsageTotals)
    .where(
      and(
        eq(aiUsageTotals.botId, bot.id),
        eq(aiUsageTotals.scope, "user"),
        eq(aiUsageTotals.subjectId, userId),
        inArray(aiUsageTotals.period, [p.day, p.month]),
      ),
    )
    .all();
  const limits = effectiveLimits(bot).user;
  const of = (kind: PeriodKind) => {
    const row = rows.find((r) => r.period === p[kind]);
    return { used: { requests: row?.requests ?? 0, tokens: row?.tokens ?? 0 }, limit: limits[kind] };
  };
  return { day: of("day"), month: of("month") };
}

/** The /usage text: "Today: 3 of 50 requests, 1,234 of 50,000 tokens" (a limit of 0 = no limit). */
export function usageText(u: Awaited<ReturnType<typeof userUsage>>): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const part = (used: number, limit: number, what: string) =>
    limit > 0 ? `${n(used)} of ${n(limit)} ${what}` : `${n(used)} ${what} (no limit)`;
  const line = (label: string, x: (typeof u)["day"]) =>
    `${label}: ${part(x.used.requests, x.limit.requests, "requests")}, ${part(x.used.tokens, x.limit.tokens, "tokens")}`;
  return ["Your AI usage", line("Today", u.day), line("This month", u.month), "Days reset at 00:00 UTC, months on the 1st."].join("\n");
}
