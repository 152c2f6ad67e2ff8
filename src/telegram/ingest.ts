// Update ingest: the one path every update takes, from the webhook or from polling.
//
// 1. claim the (bot, update_id) in the ledger (atomic; a done update is a duplicate, one
//    under a live lease is in progress, one whose attempt crashed is taken over);
// 2. store everything in one atomic db.batch (skipped when an earlier attempt stored it);
// 3. dispatch: commands, dialogs, the AI offer; each reply is recorded as it is sent;
// 4. mark done. Any failure releases the lease and throws: the caller answers 5xx
//    (webhook) or retries (polling), and the next attempt resumes where this one stopped.

import { sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { telegramFor } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import type { TelegramClient } from "./client";
import { type DialogSession, getSession } from "./dialog-sessions";
import { pickLang } from "./i18n";
import { runBatch } from "./ingest/d1";
import { dispatch, finishPlan, wantsSession } from "./ingest/dispatch";
import { EffectRunner } from "./ingest/effects";
import { bumpCounterStmt, claim, markDone, releaseLease } from "./ingest/ledger";
import { normalize, type RawUpdate } from "./ingest/normalize";
import { buildStorePlan } from "./ingest/store";

export interface IngestDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  /** For work that may finish after the answer (never for anything exactly-once depends on). */
  waitUntil?: (p: Promise<unknown>) => void;
}

export type IngestOutcome =
  /** Stored and handled now. */
  | { status: "processed"; updateId: number }
  /** Already handled earlier: a no-op. */
  | { status: "duplicate"; updateId: number }
  /** Another delivery of the same update is being handled right now. */
  | { status: "in_progress"; updateId: number };

interface Sender {
  languageCode: string | null;
  preferences: Record<string, unknown>;
}

interface SenderRow {
  language_code: string | null;
  preferences: string | null;
}

function parseSession(row: unknown): DialogSession | null {
  const data = (row as { data?: string } | undefined)?.data;
  if (!data) return null;
  try {
    return JSON.parse(data) as DialogSession;
  } catch {
    return null;
  }
}

function senderOf(row: SenderRow): Sender {
  let preferences: Record<string, unknown> = {};
  try {
    const v = JSON.parse(row.preferences || "{}");
    if (v && typeof v === "object") preferences = v;
  } catch {
    // A malformed preferences value is treated as none.
  }
  return { languageCode: row.language_code, preferences };
}

/**
 * Stores the update exactly once and runs its handlers (commands, dialogs, AI offer).
 * Throws on a failure of ours; the caller answers 5xx (webhook) or retries (polling),
 * and a later attempt completes the work without repeating what was already done.
 * `update` must already be validated as an object with a numeric update_id.
 */
export async function ingestUpdate(deps: IngestDeps, update: { update_id: number } & Record<string, unknown>): Promise<IngestOutcome> {
  const { db, bot } = deps;
  const updateId = update.update_id;
  const n = normalize(update as RawUpdate);

  const claimed = await claim(db, bot.id, updateId, n.type);
  if (!claimed.owned) {
    if (claimed.status === "done") {
      await bumpCounterStmt(db, bot.id, "duplicates").run();
      return { status: "duplicate", updateId };
    }
    return { status: "in_progress", updateId };
  }

  const sessionKey = wantsSession(n) && n.message?.from ? { chatId: n.message.chat.id, userId: n.message.from.id } : undefined;
  try {
    let sender: Sender | undefined;
    let session: Promise<DialogSession | null> | undefined;
    if (!claimed.effects.stored) {
      // Updates with nothing left to do after storing are marked done in the same batch.
      const finish = finishPlan(n, bot);
      const plan = buildStorePlan(db, bot.id, updateId, n, {
        session: sessionKey,
        finish: finish === "never" ? undefined : finish,
      });
      if (claimed.attempts > 1) plan.stmts.push(bumpCounterStmt(db, bot.id, "redeliveries"));
      const results = await runBatch(db, plan.stmts);
      if (plan.doneIndex !== undefined && results[plan.doneIndex]?.meta.changes === 1) return { status: "processed", updateId };
      const row = plan.senderIndex !== undefined ? results[plan.senderIndex]?.results?.[0] : undefined;
      if (row) sender = senderOf(row as SenderRow);
      // The session was read from D1 (the durable copy) inside the batch: no KV round trip needed.
      if (plan.sessionIndex !== undefined) session = Promise.resolve(parseSession(results[plan.sessionIndex]?.results?.[0]));
    } else {
      // A retry after a failure: the slower path is fine (the KV copy first, then D1).
      if (sessionKey) session = getSession(deps.env, db, { botId: bot.id, ...sessionKey });
      if (claimed.attempts > 1) await bumpCounterStmt(db, bot.id, "redeliveries").run();
      const from = n.users[0];
      if (from) {
        const row = await db.get<SenderRow | undefined>(
          sql`SELECT language_code, preferences FROM tg_users WHERE bot_id = ${bot.id} AND user_id = ${from.id}`,
        );
        if (row) sender = senderOf(row);
      }
    }

    const preferences = sender?.preferences ?? {};
    let client: Promise<TelegramClient> | undefined;
    const effectDeps = { ...deps, client: () => (client ??= telegramFor(deps.env, bot, { log: deps.log })) };
    await dispatch({
      deps: effectDeps,
      runner: new EffectRunner(effectDeps, updateId, claimed.effects),
      update: update as RawUpdate,
      n,
      lang: pickLang(preferences, sender?.languageCode ?? n.users[0]?.language_code),
      preferences,
      session,
    });
    await markDone(db, bot.id, updateId);
    return { status: "processed", updateId };
  } catch (err) {
    deps.log.error("update ingest failed", { bot_id: bot.id, update_id: updateId, update_type: n.type, error: err });
    await Promise.allSettled([releaseLease(db, bot.id, updateId), bumpCounterStmt(db, bot.id, "failures").run()]);
    throw err;
  }
}
