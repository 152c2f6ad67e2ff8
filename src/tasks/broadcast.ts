// The broadcast task: sends one stored broadcast to its pending deliveries within
// Telegram's limits (see pacer.ts), honouring retry_after, skipping users who blocked
// the bot, and recording each delivery's outcome (the delivery report).
//
// It sends through sendAndStoreWith with its own client whose retries are off, because
// pacing needs to see every 429 itself; the sent message is stored as outgoing there.
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { telegramFor } from "../db/bots";
import { nowSeconds } from "../db/client";
import { broadcastDeliveries, broadcasts, tgUsers } from "../db/schema";
import type { TelegramClient } from "../telegram/client";
import { TelegramError } from "../telegram/errors";
import { sendAndStoreWith } from "../telegram/outgoing";
import { earliestSend, isGroupChat, pause, recordSend } from "./pacer";
import { STEP_BUDGET_MS, type StepContext, type StepOutcome } from "./step";

const MAX_ATTEMPTS = 3;
const BATCH = 200;

type Delivery = { chatId: number; attempts: number };
type Result = { status: "sent" | "failed" | "skipped" | "pending"; error?: string; messageId?: number };

export async function broadcastStep(ctx: StepContext): Promise<StepOutcome> {
  const { db, clock, state, pacer } = ctx;
  const broadcastId = Number(state.config.broadcast_id);
  const b = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId)).get();
  if (!b) return { fail: `Broadcast ${broadcastId} no longer exists` };
  if (b.status !== "running") await db.update(broadcasts).set({ status: "running" }).where(eq(broadcasts.id, b.id));
  const tg = await telegramFor(ctx.env, ctx.bot, { maxRetries: 0, log: ctx.log });
  const deadline = clock.now() + STEP_BUDGET_MS;
  // A chat that failed with a network error waits a little before its next attempt.
  const backoff = new Map<number, number>();
  const yieldAt = async (next: number): Promise<StepOutcome> => {
    state.progress = {
      broadcast_id: b.id,
      ...(await reportCounts(ctx, b.id)),
      paused_until: pacer.pausedUntil > clock.now() ? pacer.pausedUntil : null,
    };
    return { next };
  };

  let pending = await loadPending(ctx, b.id);
  let blocked = await blockedUsers(ctx, pending);
  while (pending.length > 0) {
    if (!(await ctx.stillRunning())) return yieldAt(clock.now());
    const now = clock.now();
    let pick: Delivery | undefined;
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const d of pending) {
      const at = Math.max(earliestSend(pacer, d.chatId, now), backoff.get(d.chatId) ?? 0);
      if (at <= now) {
        pick = d;
        break;
      }
      wakeAt = Math.min(wakeAt, at);
    }
    if (!pick) {
      if (wakeAt > deadline) return yieldAt(wakeAt);
      await clock.sleep(wakeAt - now);
      continue;
    }

    const result = blocked.has(pick.chatId)
      ? { status: "skipped" as const, error: "the user has blocked the bot" }
      : await sendOne(ctx, tg, b, pick);
    const attempts = pick.attempts + (result.status === "skipped" ? 0 : 1);
    await db
      .update(broadcastDeliveries)
      .set({ status: result.status, error: result.error ?? null, messageId: result.messageId ?? null, attempts, updatedAt: nowSeconds() })
      .where(and(eq(broadcastDeliveries.broadcastId, b.id), eq(broadcastDeliveries.chatId, pick.chatId)));
    pick.attempts = attempts;
    if (result.status === "pending") backoff.set(pick.chatId, clock.now() + 2000 * attempts);
    else pending = pending.filter((d) => d !== pick);

    if (pending.length === 0) {
      pending = await loadPending(ctx, b.id);
      blocked = await blockedUsers(ctx, pending);
    }
    if (clock.now() >= deadline && pending.length > 0) return yieldAt(clock.now());
  }

  await db.update(broadcasts).set({ status: "done", finishedAt: nowSeconds() }).where(eq(broadcasts.id, b.id));
  state.progress = { broadcast_id: b.id, ...(await reportCounts(ctx, b.id)) };
  return { completed: true };
}

async function sendOne(ctx: StepContext, tg: TelegramClient, b: { text: string; parseMode: string | null }, d: Delivery): Promise<Result> {
  const { clock, pacer, db, bot } = ctx;
  recordSend(pacer, d.chatId, clock.now());
  try {
    const params = { chat_id: d.chatId, text: b.text, ...(b.parseMode ? { parse_mode: b.parseMode as "HTML" } : {}) };
    const sent = await sendAndStoreWith(ctx, { type: "text", ...params }, { client: tg });
    return { status: "sent", messageId: sent[0]?.message_id };
  } catch (err) {
    if (err instanceof TelegramError) {
      if (err.errorCode === 429) {
        pause(pacer, clock.now(), err.retryAfter ?? 5);
        ctx.log.warn("broadcast paused by Telegram", { bot_id: bot.id, retry_after: err.retryAfter });
        return { status: "pending", error: `rate limited: retry after ${err.retryAfter ?? 5}s` };
      }
      if (err.errorCode === 403) {
        if (!isGroupChat(d.chatId)) {
          await db
            .update(tgUsers)
            .set({ blockedBot: true })
            .where(and(eq(tgUsers.botId, bot.id), eq(tgUsers.userId, d.chatId)));
        }
        return { status: "failed", error: `blocked: ${err.description || "Forbidden"}` };
      }
      if (err.migrateToChatId) return { status: "failed", error: `group moved to supergroup ${err.migrateToChatId}` };
      if (err.errorCode >= 500 && d.attempts + 1 < MAX_ATTEMPTS) return { status: "pending", error: err.description };
      return { status: "failed", error: `${err.errorCode} ${err.description}` };
    }
    const reason = err instanceof Error ? err.message : String(err);
    return d.attempts + 1 < MAX_ATTEMPTS ? { status: "pending", error: reason } : { status: "failed", error: reason };
  }
}

async function loadPending(ctx: StepContext, broadcastId: number): Promise<Delivery[]> {
  return ctx.db
    .select({ chatId: broadcastDeliveries.chatId, attempts: broadcastDeliveries.attempts })
    .from(broadcastDeliveries)
    .where(and(eq(broadcastDeliveries.broadcastId, broadcastId), eq(broadcastDeliveries.status, "pending")))
    .orderBy(asc(broadcastDeliveries.chatId))
    .limit(BATCH)
    .all();
}

/** Private chats whose user blocked the bot (the chat id of a private chat is the user id). */
async function blockedUsers(ctx: StepContext, pending: Delivery[]): Promise<Set<number>> {
  const ids = pending.map((d) => d.chatId).filter((id) => !isGroupChat(id));
  const out = new Set<number>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await ctx.db
      .select({ userId: tgUsers.userId })
      .from(tgUsers)
      .where(and(eq(tgUsers.botId, ctx.bot.id), eq(tgUsers.blockedBot, true), inArray(tgUsers.userId, ids.slice(i, i + 90))))
      .all();
    for (const r of rows) out.add(r.userId);
  }
  return out;
}

export async function reportCounts(ctx: Pick<StepContext, "db">, broadcastId: number) {
  const rows = await ctx.db
    .select({ status: broadcastDeliveries.status, n: count() })
    .from(broadcastDeliveries)
    .where(eq(broadcastDeliveries.broadcastId, broadcastId))
    .groupBy(broadcastDeliveries.status)
    .all();
  const counts = { total: 0, sent: 0, failed: 0, skipped: 0, pending: 0 };
  for (const r of rows) {
    counts.total += r.n;
    const k = r.status as "sent" | "failed" | "skipped" | "pending";
    if (k in counts) counts[k] += r.n;
  }
  return counts;
}
