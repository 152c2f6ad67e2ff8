// Bot management (bearer token or staff session):
//   GET  /telegram/bot/{bot_id}/status/  getMe, webhook info, stored counts, the inbox and its counters
//   POST /telegram/bot/{bot_id}/send/    { chat_id, text?, parse_mode?, photo?, document?, caption? }
//   GET  /telegram/bot/{bot_id}/updates/{update_id}/                where one update stands: its journal of Bot API calls
//   GET  /telegram/bot/{bot_id}/dead-letters/                       updates that kept failing, with their errors
//   POST /telegram/bot/{bot_id}/dead-letters/{update_id}/replay/    put one back in the inbox
//   POST /telegram/bot/{bot_id}/dead-letters/{update_id}/discard/   drop one for good
// (The stats routes under /telegram/bot/{bot_id}/chat(s)/... live in another file.)

import { sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { coordinatorFor } from "../coordinator/stub";
import { publicBot, requireBot } from "../db/bots";
import { runBatch, stmt } from "../db/d1";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { idParam, jsonBody, withSafeLinks, zFileRef } from "../lib/validate";
import { governedStaffSend } from "../services/staff-send";
import { deadLetterAction } from "../services/webhook-health";
import { telegramFor } from "../telegram/bot-client";
import type { OutgoingMessage } from "../telegram/outgoing";
import { svc } from "./service-ctx";

const sendSchema = z
  .strictObject({
    chat_id: z.union([z.number().int().refine(Number.isSafeInteger), z.string().regex(/^(@[A-Za-z0-9_]{4,64}|-?\d{1,16})$/)]),
    text: withSafeLinks(z.string().min(1).max(65536)).optional(),
    parse_mode: z.enum(["Markdown", "MarkdownV2", "HTML"]).optional(),
    photo: zFileRef.optional(),
    document: zFileRef.optional(),
    caption: withSafeLinks(z.string().max(1024)).optional(),
  })
  .refine((b) => [b.text, b.photo, b.document].filter((x) => x !== undefined).length === 1, "give exactly one of text, photo, document");

async function settle<T>(p: Promise<T>): Promise<{ ok: true; result: T } | { ok: false; error: string }> {
  try {
    return { ok: true, result: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function deadLetterRoute(c: Context<AppEnv>, action: "replay" | "discard") {
  const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
  const updateId = idParam(c, "update_id", "Update");
  await deadLetterAction(svc(c), bot, updateId, action);
  return c.json({ ok: true, update_id: updateId, action });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const botAdmin = new Hono<AppEnv>()
  .get("/:bot_id/status", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, idParam(c, "bot_id", "Bot"));
    const tg = await telegramFor(c.env, bot, { log: c.var.log, maxRetries: 0, timeoutMs: 10_000 });
    const id = bot.id;
    const [me, webhook, inbox, sending, [chatTypes, users, messages]] = await Promise.all([
      settle(tg.call("getMe")),
      settle(tg.call("getWebhookInfo")),
      settle(coordinatorFor(c.env, id).inboxStatus()),
      settle(coordinatorFor(c.env, id).sendingStatus()),
      runBatch(db, [
        stmt(db, sql`SELECT type, count(*) AS n FROM chats WHERE bot_id = ${id} GROUP BY type`),
        stmt(db, sql`SELECT count(*) AS n, coalesce(sum(blocked_bot), 0) AS blocked FROM tg_users WHERE bot_id = ${id}`),
        stmt(db, sql`SELECT direction, count(*) AS n FROM messages WHERE bot_id = ${id} GROUP BY direction`),
      ]),
    ]);
    const rows = (r: D1Result | undefined) => (r?.results ?? []) as Record<string, unknown>[];
    const byType: Record<string, number> = { private: 0, group: 0, supergroup: 0, channel: 0 };
    for (const r of rows(chatTypes)) byType[String(r.type)] = Number(r.n);
    const dir: Record<string, number> = { in: 0, out: 0 };
    for (const r of rows(messages)) dir[String(r.direction)] = Number(r.n);
    const box = inbox.ok ? inbox.result : undefined;
    const k = box?.counters;
    const counterMap = {
      updates_received: k?.received ?? 0,
      updates_done: k?.done ?? 0,
      duplicates: k?.duplicates ?? 0,
      redeliveries: k?.redeliveries ?? 0,
      failures: k?.failures ?? 0,
      dead_lettered: k?.dead_lettered ?? 0,
    };
    const userRow = rows(users)[0];
    const last = box?.last_received_at;
    return c.json({
      bot: publicBot(bot),
      telegram: me.ok ? { ok: true, me: me.result } : { ok: false, error: me.error },
      webhook: webhook.ok
        ? {
            ok: true,
            url: webhook.result.url,
            pending_update_count: webhook.result.pending_update_count,
            last_error_date: webhook.result.last_error_date ?? null,
            last_error_message: webhook.result.last_error_message ?? null,
            allowed_updates: webhook.result.allowed_updates ?? null,
          }
        : { ok: false, error: webhook.error },
      chats: { total: Object.values(byType).reduce((a, b) => a + b, 0), by_type: byType },
      users: { total: Number(userRow?.n ?? 0), blocked_bot: Number(userRow?.blocked ?? 0) },
      messages: { in: dir.in ?? 0, out: dir.out ?? 0 },
      last_update_at: last === null || last === undefined ? null : Math.floor(last / 1000),
      counters: counterMap,
      inbox: box
        ? {
            ok: true,
            depth: box.depth,
            pending: box.pending,
            stored_unhandled: box.stored_unhandled,
            oldest_pending_age_s: box.oldest_pending_age_ms === null ? null : Math.round(box.oldest_pending_age_ms / 1000),
            dead_letters: box.dead_letters,
            last_error: box.last_error,
            // Since the coordinator last started: group commits, updates stored and handled, runs handed over.
            drain: box.drain,
          }
        : { ok: false, error: inbox.ok ? "unknown" : inbox.error },
      // The send governor: its outbox (queued, sent but not yet stored), chats waiting, pauses, counters.
      sending: sending.ok ? { ok: true, ...sending.result } : { ok: false, error: sending.error },
    });
  })
  .get("/:bot_id/dead-letters", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    const letters = await coordinatorFor(c.env, bot.id).deadLetters(100);
    return c.json({
      dead_letters: letters.map((d) => ({
        update_id: d.update_id,
        stage: d.stage,
        attempts: d.attempts,
        error: d.error,
        dead_at: Math.floor(d.dead_at / 1000),
        update: safeJson(d.body),
      })),
    });
  })
  .get("/:bot_id/updates/:update_id", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "bot_id", "Bot"));
    const updateId = idParam(c, "update_id", "Update");
    const found = await coordinatorFor(c.env, bot.id).updateState(updateId);
    if (!found) throw new AppError("NOT_FOUND", `Update ${updateId} is not in bot ${bot.id}'s inbox (never accepted, or pruned)`);
    return c.json(found);
  })
  .post("/:bot_id/dead-letters/:update_id/replay", (c) => deadLetterRoute(c, "replay"))
  .post("/:bot_id/dead-letters/:update_id/discard", (c) => deadLetterRoute(c, "discard"))
  .post("/:bot_id/send", async (c) => {
    const { db, log } = c.var;
    const bot = await requireBot(db, idParam(c, "bot_id", "Bot"));
    const body = await jsonBody(c, sendSchema);
    const chatId = typeof body.chat_id === "string" && /^-?\d+$/.test(body.chat_id) ? Number(body.chat_id) : body.chat_id;
    let msg: OutgoingMessage;
    if (body.text !== undefined) {
      // Markdown by default; the client resends as plain text when Telegram cannot parse it.
      msg = { type: "text", chat_id: chatId, text: body.text, parse_mode: body.parse_mode ?? "Markdown" };
    } else if (body.photo !== undefined) {
      msg = { type: "photo", chat_id: chatId, photo: body.photo, caption: body.caption, parse_mode: body.parse_mode };
    } else if (body.document !== undefined) {
      msg = { type: "document", chat_id: chatId, document: body.document, caption: body.caption, parse_mode: body.parse_mode };
    } else {
      throw new AppError("BAD_REQUEST", "Give one of text, photo, document");
    }
    const sent = await governedStaffSend({ env: c.env, db, log, bot }, msg);
    return c.json({ ok: true, message: sent[0] ?? null, messages: sent });
  });
