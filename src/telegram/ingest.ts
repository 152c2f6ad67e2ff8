// Update ingest: the one path every update takes, from the webhook or from polling.
//
// 1. one atomic D1 batch claims the (bot, update_id) in the ledger and, if the claim is
//    ours and nothing is stored yet, stores everything (and marks an update with nothing
//    left to do as done). A done update is a duplicate; one under a live lease is in
//    progress; one whose earlier attempt crashed is taken over (see ingest/ledger.ts);
// 2. dispatch: commands, dialogs, the AI offer; each reply is recorded as it is sent;
// 3. mark done. Any failure releases the lease and throws: the caller answers 5xx
//    (webhook) or retries (polling), and the next attempt resumes where this one stopped.

import { sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { telegramFor } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import type { TelegramClient } from "./client";
import type { DialogSession } from "./dialog-sessions";
import { pickLang } from "./i18n";
import { runBatch } from "./ingest/d1";
import { dispatch, finishPlan, wantsSession } from "./ingest/dispatch";
import { EffectRunner } from "./ingest/effects";
import { bumpCounterStmt, markDoneStmt, readState, releaseLease } from "./ingest/ledger";
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

/** Runs a clean-up after a failure of ours; its own failure (even a synchronous throw) is ignored. */
async function bestEffort(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // The original failure is what the caller reports.
  }
}

function parseSession(data: string | null): DialogSession | null {
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
  const token = crypto.randomUUID();
  const sessionKey = wantsSession(n) && n.message?.from ? { chatId: n.message.chat.id, userId: n.message.from.id } : undefined;
  // Updates with nothing left to do after storing are marked done in the same batch.
  const finish = finishPlan(n, bot);
  const plan = buildStorePlan(db, bot.id, updateId, n, { token, session: sessionKey, finish: finish === "never" ? undefined : finish });

  // One atomic round trip: claim, store (if ours and not yet stored), maybe done, ledger state and session.
  // If it fails nothing was written, not even the claim, so a redelivery starts afresh.
  let results: D1Result[];
  try {
    results = await runBatch(db, plan.stmts);
  } catch (err) {
    deps.log.error("update store failed", { bot_id: bot.id, update_id: updateId, update_type: n.type, error: err });
    await bestEffort(() => bumpCounterStmt(db, bot.id, "failures").run());
    throw err;
  }
  const state = readState(results[plan.stateIndex]?.results?.[0]);
  if (!state.owned) {
    // Someone else holds the claim: finished (a duplicate) or still at work (in progress).
    if (state.status === "done") {
      await bumpCounterStmt(db, bot.id, "duplicates").run();
      return { status: "duplicate", updateId };
    }
    return { status: "in_progress", updateId };
  }

  try {
    if (state.attempts > 1) await bumpCounterStmt(db, bot.id, "redeliveries").run();
    // Ours and already done: nothing was left to do after storing, and the batch marked it done.
    if (state.status === "done") return { status: "processed", updateId };

    // The sender's upsert answers its language and preferences, unless an earlier attempt stored the update.
    const upserted = plan.senderIndex !== undefined ? results[plan.senderIndex]?.results?.[0] : undefined;
    let sender = upserted ? senderOf(upserted as SenderRow) : undefined;
    const from = n.users[0];
    if (!sender && from) {
      const row = await db.get<SenderRow | undefined>(
        sql`SELECT language_code, preferences FROM tg_users WHERE bot_id = ${bot.id} AND user_id = ${from.id}`,
      );
      if (row) sender = senderOf(row);
    }
    // The session was read from D1 (the durable copy) inside the batch: no KV round trip needed here.
    const session = sessionKey ? Promise.resolve(parseSession(state.sessionData)) : undefined;

    const preferences = sender?.preferences ?? {};
    let client: Promise<TelegramClient> | undefined;
    const effectDeps = { ...deps, client: () => (client ??= telegramFor(deps.env, bot, { log: deps.log })) };
    const runner = new EffectRunner(effectDeps, updateId, state.effects);
    try {
      await dispatch({
        deps: effectDeps,
        runner,
        update: update as RawUpdate,
        n,
        lang: pickLang(preferences, sender?.languageCode ?? from?.language_code),
        preferences,
        session,
      });
    } catch (err) {
      // Keep the record of replies already sent, so the redelivery does not send them again.
      await runner.flush().catch(() => undefined);
      throw err;
    }
    // The last reply's record and "done" commit together.
    await runner.finish([markDoneStmt(db, bot.id, updateId, token)]);
    return { status: "processed", updateId };
  } catch (err) {
    deps.log.error("update ingest failed", { bot_id: bot.id, update_id: updateId, update_type: n.type, error: err });
    await Promise.all([
      bestEffort(() => releaseLease(db, bot.id, updateId, token)),
      bestEffort(() => bumpCounterStmt(db, bot.id, "failures").run()),
    ]);
    throw err;
  }
}
