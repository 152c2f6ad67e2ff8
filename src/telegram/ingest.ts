// Update ingest, as the bot's coordinator runs it after the update is in its inbox:
//  1. prepare: parse and normalize (pure);
//  2. storeBatch: one group commit for a whole batch of updates (see ingest/group-commit.ts),
//     which also reads the senders' preferences and any waiting dialog sessions;
//  3. handleUpdate: commands, dialogs and the AI offer for one update, each Bot API call
//     journaled by the coordinator (see ingest/effects.ts) so nothing is sent twice.
// Nothing here calls up into the coordinator: what handling needs from it comes as a port.

import { sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { runBatch } from "../db/d1";
import type { Db } from "../env";
import { parseCommand } from "./commands/parse";
import { pickLang } from "./i18n";
import { dispatch, finishPlan, wantsSession } from "./ingest/dispatch";
import { type EffectDeps, EffectRunner } from "./ingest/effects";
import { type BatchItem, buildGroupCommit } from "./ingest/group-commit";
import { type Normalized, normalize, type RawUpdate } from "./ingest/normalize";
import { SessionCache } from "./ingest/session-cache";

export interface Prepared {
  updateId: number;
  update: RawUpdate;
  n: Normalized;
  /** Whether anything can happen after storing (see finishPlan). */
  finish: "never" | "unless-session" | "always";
  /** The (chat, user) whose dialog session this update may continue. */
  sessionKey?: { chatId: number; userId: number };
}

interface Sender {
  languageCode: string | null;
  preferences: Record<string, unknown>;
}

/** What a stored batch hands to the handling of its updates. */
export interface StoredBatch {
  senders: Map<number, Sender>;
  sessions: SessionCache;
  /** D1 statements the commit ran (they count against D1's queries per invocation). */
  statements: number;
}

export function prepare(update: RawUpdate, bot: Pick<BotRow, "username" | "aiEnabled">): Prepared {
  const n = normalize(update);
  const sessionKey = wantsSession(n) && n.message?.from ? { chatId: n.message.chat.id, userId: n.message.from.id } : undefined;
  return { updateId: update.update_id, update, n, finish: finishPlan(n, bot), sessionKey };
}

function senderOf(row: { language_code: string | null; preferences: string | null }): Sender {
  let preferences: Record<string, unknown> = {};
  try {
    const v = JSON.parse(row.preferences || "{}");
    if (v && typeof v === "object") preferences = v;
  } catch {
    // A malformed preferences value is treated as none.
  }
  return { languageCode: row.language_code, preferences };
}

/** Stores a batch in one atomic D1 batch (exactly once: see group-commit.ts). Throws when D1 refuses it. */
export async function storeBatch(db: Db, botId: number, items: Prepared[]): Promise<StoredBatch> {
  const sessions = items.flatMap((p) => (p.sessionKey ? [p.sessionKey] : []));
  const senders = [...new Set(items.flatMap((p) => (p.finish === "always" || !p.n.users[0] ? [] : [p.n.users[0].id])))];
  const commit = buildGroupCommit(db, botId, items as BatchItem[], { token: crypto.randomUUID(), sessions, senders });
  const results = await runBatch(db, commit.stmts);
  const senderMap = new Map<number, Sender>();
  for (const r of (results[commit.sendersIndex]?.results ?? []) as {
    user_id: number;
    language_code: string | null;
    preferences: string | null;
  }[]) {
    senderMap.set(Number(r.user_id), senderOf(r));
  }
  const cache = new SessionCache();
  for (const k of sessions) cache.prime(k, null);
  for (const r of (results[commit.sessionsIndex]?.results ?? []) as { chat_id: number; user_id: number; data: string }[]) {
    cache.primeRaw({ chatId: Number(r.chat_id), userId: Number(r.user_id) }, r.data);
  }
  return { senders: senderMap, sessions: cache, statements: commit.stmts.length };
}

/** True when the update has work left after storing (commands, callbacks, a waiting dialog, the AI). */
export function needsHandling(p: Prepared, batch: StoredBatch | undefined): boolean {
  if (p.finish === "never") return true;
  if (p.finish === "always") return false;
  // "unless-session": only if a dialog waits (unknown after a restart: look it up then).
  return !batch || !p.sessionKey || batch.sessions.known(p.sessionKey) !== null;
}

async function senderFor(db: Db, botId: number, p: Prepared, batch: StoredBatch): Promise<Sender | undefined> {
  const from = p.n.users[0];
  if (!from) return undefined;
  const hit = batch.senders.get(from.id);
  if (hit) return hit;
  const row = await db.get<{ language_code: string | null; preferences: string | null } | undefined>(
    sql`SELECT language_code, preferences FROM tg_users WHERE bot_id = ${botId} AND user_id = ${from.id}`,
  );
  const s = row ? senderOf(row) : undefined;
  if (s) batch.senders.set(from.id, s);
  return s;
}

/**
 * Runs one stored update's handlers. Answers the runner (what was sent, for the caller to
 * store). Throws on a failure of ours; the caller retries later, and the journal makes the
 * retry skip every call already made.
 */
export async function handleUpdate(deps: EffectDeps, p: Prepared, batch: StoredBatch): Promise<EffectRunner> {
  const runner = new EffectRunner(deps, p.updateId);
  const sender = await senderFor(deps.db, deps.bot.id, p, batch);
  const preferences = sender?.preferences ?? {};
  const from = p.n.users[0];
  await dispatch({
    deps,
    runner,
    update: p.update,
    n: p.n,
    lang: pickLang(preferences, sender?.languageCode ?? from?.language_code),
    preferences,
    sessions: batch.sessions,
  });
  // A command or a button may change the sender's preferences (/settings): read them afresh next time.
  if (from && (p.n.type === "callback_query" || (p.n.message && parseCommand(p.n.message)))) batch.senders.delete(from.id);
  return runner;
}
