// The broadcast task: sends one stored broadcast to its pending deliveries within
// Telegram's limits, on the bot's one send ledger (pacer.ts, shared through the coordinator's
// send governor with replies, AI answers and staff sends), honouring retry_after, skipping users who blocked
// the bot, and recording each delivery's outcome (the delivery report).
//
// It sends with its own client whose retries are off, because pacing needs to see every
// 429 itself, and a retry of an answer that never came could deliver twice.
//
// Never twice: before each send the delivery is marked "sending" in D1 (the intent, durable
// before anything leaves). Telegram's definite answers settle it (sent, failed, or pending
// again after a 429, which delivered nothing). Anything that leaves the outcome open (a
// 5xx, a dropped connection or timeout, a failed write after Telegram accepted, or the
// coordinator dying between the send and the record) leaves it "unknown": reported, never
// resent. A run starts by turning every "sending" left by a dead run into "unknown".
import type { Message } from "@grammyjs/types";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import { built, runBatch } from "../db/d1";
import { broadcastDeliveries, broadcasts, tgUsers } from "../db/schema";
import { telegramFor } from "../telegram/bot-client";
import type { TelegramClient } from "../telegram/client";
import { TelegramError } from "../telegram/errors";
import { outgoingStmts, sendOnly } from "../telegram/outgoing";
import { nextOccurrence, replyMarkup, waitBeforeSending } from "./broadcast-schedule";
import { BROADCAST_LIMITS, earliestSend, flood, forgetIfClockWentBack, isGroupChat, recordSend } from "./pacer";
import { STEP_BUDGET_MS, type StepContext, type StepOutcome } from "./step";

const BATCH = 200;

/** A delivery's states: pending → sending → sent | failed | unknown (or back to pending after a 429); skipped. */
export const DELIVERY_STATUSES = ["pending", "sending", "sent", "failed", "skipped", "unknown"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

type Delivery = { chatId: number; attempts: number };
type Result = { status: "sent" | "failed" | "skipped" | "pending" | "unknown"; error?: string; messageId?: number; sent?: Message[] };

const INTERRUPTED = "unknown: the coordinator stopped between the send and its record; not resent";

export async function broadcastStep(ctx: StepContext): Promise<StepOutcome> {
  const { db, clock, state, pacer } = ctx;
  // A recurring broadcast's task moves on to the next occurrence (kept in data across runs).
  const broadcastId = Number(state.data.broadcast_id ?? state.config.broadcast_id);
  const b = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId)).get();
  if (!b) return { fail: `Broadcast ${broadcastId} no longer exists` };
  // Scheduled for later: nothing is sent before send_at; the alarm comes back then.
  const wait = waitBeforeSending(b, clock.now());
  if (wait > 0) {
    state.progress = { broadcast_id: b.id, ...(await reportCounts(ctx, b.id)), scheduled_for: b.sendAt };
    return { next: clock.now() + wait };
  }
  if (b.status !== "running") await db.update(broadcasts).set({ status: "running" }).where(eq(broadcasts.id, b.id));
  const tg = await telegramFor(ctx.env, ctx.bot, { maxRetries: 0, log: ctx.log });
  const deadline = clock.now() + STEP_BUDGET_MS;
  // A chat Telegram rate-limited (429: nothing delivered) waits a little before its next attempt.
  const backoff = new Map<number, number>();
  const yieldAt = async (next: number): Promise<StepOutcome> => {
    state.progress = {
      broadcast_id: b.id,
      ...(await reportCounts(ctx, b.id)),
      paused_until: pacer.pausedUntil > clock.now() ? pacer.pausedUntil : null,
    };
    return { next };
  };

  await markInterruptedUnknown(ctx, b.id);
  let pending = await loadPending(ctx, b.id);
  let blocked = await blockedUsers(ctx, pending);
  while (pending.length > 0) {
    if (!(await ctx.stillRunning())) return yieldAt(clock.now());
    const now = clock.now();
    forgetIfClockWentBack(pacer, now);
    let pick: Delivery | undefined;
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const d of pending) {
      const at = Math.max(earliestSend(pacer, d.chatId, now, BROADCAST_LIMITS), backoff.get(d.chatId) ?? 0);
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

    let result: Result;
    if (blocked.has(pick.chatId)) {
      result = { status: "skipped", error: "the user has blocked the bot" };
    } else {
      // The intent first: if this write fails nothing was sent; if the object dies after
      // the send, the next run finds "sending" and reports it unknown.
      pick.attempts += 1;
      await setDelivery(ctx, b.id, pick.chatId, { status: "sending", error: null, attempts: pick.attempts });
      result = await sendOne(ctx, tg, b, pick);
    }
    // Pending again only after a 429 (nothing was delivered); every other answer is final.
    await recordResult(ctx, b.id, pick, result);
    if (result.status === "pending") backoff.set(pick.chatId, clock.now() + 2000 * pick.attempts);
    else pending = pending.filter((d) => d !== pick);

    if (pending.length === 0) {
      pending = await loadPending(ctx, b.id);
      blocked = await blockedUsers(ctx, pending);
    }
    if (clock.now() >= deadline && pending.length > 0) return yieldAt(clock.now());
  }

  await db.update(broadcasts).set({ status: "done", finishedAt: nowSeconds() }).where(eq(broadcasts.id, b.id));
  state.progress = { broadcast_id: b.id, ...(await reportCounts(ctx, b.id)) };
  const next = await nextOccurrence(db, b, clock.now());
  if (next?.sendAt) {
    state.data.broadcast_id = next.id;
    state.progress = { ...state.progress, next_broadcast_id: next.id, scheduled_for: next.sendAt };
    return { next: next.sendAt * 1000 };
  }
  return { completed: true };
}

async function sendOne(
  ctx: StepContext,
  tg: TelegramClient,
  b: { text: string; parseMode: string | null; buttons: { text: string; url: string }[][] | null },
  d: Delivery,
): Promise<Result> {
  const { clock, pacer, db, bot } = ctx;
  recordSend(pacer, d.chatId, clock.now(), BROADCAST_LIMITS);
  try {
    const params = {
      chat_id: d.chatId,
      text: b.text,
      ...(b.parseMode ? { parse_mode: b.parseMode as "HTML" } : {}),
      ...replyMarkup(b),
      // The admin let this bot pay (Stars) for broadcasts past 30/s; the governor's bot bucket is raised to match.
      ...(bot.allowPaidBroadcast ? { allow_paid_broadcast: true } : {}),
    };
    const sent = await sendOnly(ctx, { type: "text", ...params }, tg);
    return { status: "sent", messageId: sent[0]?.message_id, sent };
  } catch (err) {
    if (err instanceof TelegramError) {
      if (err.errorCode === 429) {
        const paused = flood(pacer, d.chatId, clock.now(), err.retryAfter ?? 5);
        ctx.log.warn("broadcast paused by Telegram", { bot_id: bot.id, retry_after: err.retryAfter, paused });
        return { status: "pending", error: `rate limited: retry after ${err.retryAfter ?? 5}s` };
      }
      // A 5xx may come from a proxy after Telegram accepted: the message may have arrived.
      if (err.errorCode >= 500)
        return { status: "unknown", error: `unknown: Telegram answered ${err.errorCode} ${err.description}; not resent` };
      if (err.errorCode === 403) {
        if (!isGroupChat(d.chatId)) {
          await db
            .update(tgUsers)
            .set({ blockedBot: true })
            .where(and(eq(tgUsers.botId, bot.id), eq(tgUsers.userId, d.chatId)))
            .catch((e) => ctx.log.warn("could not mark the user as blocked", { error: e }));
        }
        return { status: "failed", error: `blocked: ${err.description || "Forbidden"}` };
      }
      if (err.migrateToChatId) return { status: "failed", error: `group moved to supergroup ${err.migrateToChatId}` };
      return { status: "failed", error: `${err.errorCode} ${err.description}` };
    }
    // No answer (a dropped connection, a timeout, a body that is not the Bot API's): the
    // request may have reached Telegram.
    const reason = err instanceof Error ? err.message : String(err);
    return { status: "unknown", error: `unknown: no answer from Telegram (${reason}); not resent` };
  }
}

async function setDelivery(
  ctx: Pick<StepContext, "db">,
  broadcastId: number,
  chatId: number,
  v: { status: DeliveryStatus; error: string | null; attempts?: number; messageId?: number | null },
): Promise<void> {
  await ctx.db
    .update(broadcastDeliveries)
    .set({ ...v, updatedAt: nowSeconds() })
    .where(and(eq(broadcastDeliveries.broadcastId, broadcastId), eq(broadcastDeliveries.chatId, chatId)));
}

/**
 * Records the outcome, with the sent message stored as outgoing in the same batch. If that
 * fails after Telegram accepted, the delivery is recorded "unknown" with a plain update;
 * if even that fails it stays "sending" (the next run reports it unknown) and the run stops.
 */
async function recordResult(ctx: StepContext, broadcastId: number, d: Delivery, r: Result): Promise<void> {
  const { db } = ctx;
  const update = db
    .update(broadcastDeliveries)
    .set({ status: r.status, error: r.error ?? null, messageId: r.messageId ?? null, attempts: d.attempts, updatedAt: nowSeconds() })
    .where(and(eq(broadcastDeliveries.broadcastId, broadcastId), eq(broadcastDeliveries.chatId, d.chatId)));
  if (!r.sent) {
    await update;
    return;
  }
  try {
    await runBatch(db, [...outgoingStmts(db, ctx.bot.id, r.sent), built(db, update)]);
  } catch (err) {
    ctx.log.error("recording a sent broadcast message failed; reporting it unknown", { chat_id: d.chatId, error: err });
    r.status = "unknown";
    r.error = "unknown: Telegram accepted but recording the delivery failed; not resent";
    await setDelivery(ctx, broadcastId, d.chatId, { status: "unknown", error: r.error, messageId: r.messageId ?? null });
  }
}

/** Deliveries a dead run left "sending" (sent or not, nobody knows): unknown, never resent. */
async function markInterruptedUnknown(ctx: StepContext, broadcastId: number): Promise<void> {
  const res = await ctx.db
    .update(broadcastDeliveries)
    .set({ status: "unknown", error: INTERRUPTED, updatedAt: nowSeconds() })
    .where(and(eq(broadcastDeliveries.broadcastId, broadcastId), eq(broadcastDeliveries.status, "sending")))
    .returning({ chatId: broadcastDeliveries.chatId });
  if (res.length > 0)
    ctx.log.warn("broadcast deliveries interrupted mid-send, reported unknown", { broadcast_id: broadcastId, chats: res.length });
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
  const counts = { total: 0, sent: 0, failed: 0, skipped: 0, pending: 0, sending: 0, unknown: 0 };
  for (const r of rows) {
    counts.total += r.n;
    const k = r.status as DeliveryStatus;
    if (k in counts) counts[k] += r.n;
  }
  return counts;
}
