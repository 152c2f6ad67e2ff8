// The inbox drain: runs inside the bot's coordinator, one at a time. Each step
//  1. stores the next batch of pending updates (arrival order, up to BATCH_MAX updates and
//     BATCH_BYTES of bodies, cut after a supergroup migration) in one group commit;
//  2. handles every stored update that is due, in arrival order per chat (chats side by
//     side, a few at a time), journaling each Bot API call; then stores the replies sent in
//     one D1 batch and marks the updates done.
// Batches form by themselves: while a step waits on D1 or Telegram, new updates are accepted
// and wait for the next step; a lone update under light load is handled at once.
//
// Failures stay in the inbox and are retried by us, never by Telegram:
//  - D1 unavailable (a probe write fails too): everything pauses OUTAGE_RETRY_MS and goes on
//    when D1 is back, no attempt counted;
//  - a batch that fails while D1 takes writes holds a poison update: the batch is halved
//    until the update fails alone; it is then retried with backoff and, after MAX_ATTEMPTS,
//    dead-lettered with its error while the rest goes on. Handling failures count the same way.
import type { Message } from "@grammyjs/types";
import { sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { findBot } from "../db/bots";
import { createDb } from "../db/client";
import { runBatch, stmt } from "../db/d1";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import type { TelegramClient } from "../telegram/client";
import { TelegramError } from "../telegram/errors";
import { handleUpdate, needsHandling, type Prepared, prepare, type StoredBatch, storeBatch } from "../telegram/ingest";
import type { CoordinatorPort } from "../telegram/ingest/effects";
import { carriesMigration } from "../telegram/ingest/group-commit";
import { outgoingGroupStmts } from "../telegram/ingest/message-rows-sql";
import type { RawUpdate } from "../telegram/ingest/normalize";
import type { SendGate } from "../telegram/ingest/send-gate";
import { SessionCache } from "../telegram/ingest/session-cache";
import type { Inbox, InboxRow } from "./inbox";
import type { SqlJournal } from "./journal";

export const BATCH_MAX = 100;
/** Bodies per group commit: the JSON parameters stay well under D1's 2 MB per value. */
export const BATCH_BYTES = 512 * 1024;
export const MAX_ATTEMPTS = 5;
export const OUTAGE_RETRY_MS = 1000;
/** Chats handled side by side (a Worker invocation may hold 6 connections at once). */
const CHAT_CONCURRENCY = 6;
/** Stored rows looked at per handling pass. */
const HANDLE_WINDOW = 500;
const BOT_CACHE_MS = 10_000;
/**
 * D1 queries one run may make before it hands over to the alarm (a new invocation with its
 * own allowance: D1 allows 1,000 queries per invocation on the Paid plan, 50 on Free). A
 * step costs its commit's statements, about one query per handled update, and two for the
 * replies. DRAIN_QUERY_BUDGET sets it (about 40 on the Free plan).
 */
export const RUN_QUERY_BUDGET = 500;

export const backoffMs = (attempts: number) => Math.min(30_000, 500 * 2 ** attempts);

/** Test seams: fail on purpose at the two points where a real failure can strike. */
export interface DrainFaults {
  beforeAccept?(updateId: number): void;
  afterAccept?(updateId: number): void;
  beforeStore?(updateIds: number[]): void | Promise<void>;
  beforeHandle?(updateId: number): void | Promise<void>;
}

export interface DrainDeps {
  env: Env;
  botId: number;
  inbox: Inbox;
  journal: SqlJournal;
  log: Logger;
  /** The coordinator's clock (read each time: tests swap it). */
  now: () => number;
  port: CoordinatorPort;
  /** The send governor, deferring what cannot go at once to the outbox (never waits). */
  gate?: SendGate;
  faults: () => DrainFaults | undefined;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class Drainer {
  #running: Promise<void> | undefined;
  #again = false;
  #storeLimit = BATCH_MAX;
  #pausedUntil = 0;
  #bot: { row: BotRow | undefined; at: number } | undefined;
  /** Queries this run has made (see RUN_QUERY_BUDGET); a run over budget leaves the rest to the alarm. */
  #spent = 0;
  #handOver = false;
  /** Batches committed and updates handled since this object started (for the bench and the status). */
  readonly stats = { commits: 0, stored: 0, handled: 0, handovers: 0 };

  constructor(
    readonly deps: DrainDeps,
    readonly budget = RUN_QUERY_BUDGET,
  ) {}

  /** When the drain wants to run next (null: nothing to do). */
  nextRun(): number | null {
    const due = this.deps.inbox.nextDue();
    if (due === null) return null;
    if (this.#handOver) return this.deps.now();
    return Math.max(due, this.#pausedUntil);
  }

  /** Drains until nothing is due; a call while a drain runs joins it (and makes it look again). */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#spent = 0;
    this.#handOver = false;
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          while (await this.#step()) {
            // keep going while a step did something
          }
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #loadBot(db: Db): Promise<BotRow | undefined> {
    const now = Date.now();
    if (this.#bot && now - this.#bot.at < BOT_CACHE_MS) return this.#bot.row;
    const row = await findBot(db, this.deps.botId);
    this.#bot = { row, at: now };
    return row;
  }

  /** One store-and-handle round; answers whether it did anything (then another round follows). */
  async #step(): Promise<boolean> {
    const { inbox, log } = this.deps;
    const now = this.deps.now();
    if (now < this.#pausedUntil) return false;
    if (this.#spent >= this.budget) {
      if (!this.#handOver) this.stats.handovers += 1;
      this.#handOver = true;
      return false;
    }
    const db = createDb(this.deps.env.DB);
    let bot: BotRow | undefined;
    try {
      bot = await this.#loadBot(db);
    } catch (err) {
      this.#pause(now, `reading the bot failed: ${message(err)}`);
      return false;
    }
    if (!bot) {
      const n = inbox.dropUnhandled(now);
      if (n > 0) log.warn("bot is gone; its unhandled updates were dropped", { bot_id: this.deps.botId, dropped: n });
      return false;
    }

    const justStored = await this.#storeNext(db, bot, now);
    if (justStored === "retry") return true;
    const handled = await this.#handleDue(db, bot, this.deps.now(), justStored);
    return justStored !== undefined || handled;
  }

  /** Stores the next pending batch: answers what was stored, undefined if nothing was pending, "retry" after a failure. */
  async #storeNext(db: Db, bot: BotRow, now: number): Promise<{ items: Map<number, Prepared>; batch: StoredBatch } | undefined | "retry"> {
    const { inbox, log } = this.deps;
    const rows = inbox.pending(now, this.#storeLimit, BATCH_BYTES);
    if (rows.length === 0) return undefined;
    const items: Prepared[] = [];
    for (const r of rows) {
      let p: Prepared;
      try {
        p = prepare(JSON.parse(r.body) as RawUpdate, bot);
      } catch (err) {
        inbox.deadLetter(r.update_id, `unreadable update: ${message(err)}`, now);
        continue;
      }
      items.push(p);
      // A migration moves a chat's rows: it ends its batch, so nothing after it is moved along.
      if (carriesMigration(p.n)) break;
    }
    if (items.length === 0) return "retry";
    const ids = items.map((i) => i.updateId);
    try {
      await this.deps.faults()?.beforeStore?.(ids);
      const batch = await storeBatch(db, bot.id, items);
      this.#spent += batch.statements + 1;
      inbox.markStored(ids);
      this.#storeLimit = BATCH_MAX;
      this.stats.commits += 1;
      this.stats.stored += items.length;
      return { items: new Map(items.map((i) => [i.updateId, i])), batch };
    } catch (err) {
      const error = message(err);
      if (!(await this.#d1Writable(db, bot.id))) {
        this.#pause(now, error);
        return "retry";
      }
      if (items.length > 1) {
        // D1 takes writes, so something in this batch is refused: halve until it stands alone.
        this.#storeLimit = Math.max(1, Math.floor(items.length / 2));
        inbox.bump("failures");
        log.warn("a batch failed to store; splitting it", { bot_id: bot.id, size: items.length, error });
        return "retry";
      }
      this.#failed(ids[0] as number, err, now);
      return "retry";
    }
  }

  /** Handles every stored update that is due, per chat in arrival order; answers whether any was. */
  async #handleDue(
    db: Db,
    bot: BotRow,
    now: number,
    fresh: { items: Map<number, Prepared>; batch: StoredBatch } | undefined,
  ): Promise<boolean> {
    const { inbox } = this.deps;
    const blocked = new Set<number>();
    const byChat = new Map<string, Omit<InboxRow, "body">[]>();
    for (const r of inbox.unhandled(HANDLE_WINDOW)) {
      const chat = r.chat_id;
      const waiting = r.state === "pending" || r.next_at > now;
      if (chat !== null && (blocked.has(chat) || waiting)) {
        // An earlier update of this chat is not handled yet: this one waits its turn.
        blocked.add(chat);
        continue;
      }
      if (waiting) continue;
      const key = chat === null ? `u${r.update_id}` : String(chat);
      byChat.set(key, [...(byChat.get(key) ?? []), r]);
    }
    if (byChat.size === 0) return false;

    const batch = fresh?.batch ?? { senders: new Map(), sessions: new SessionCache(), statements: 0 };
    let client: Promise<TelegramClient> | undefined;
    const deps = {
      env: this.deps.env,
      db,
      log: this.deps.log,
      bot,
      // With a governor, a 429 is its business (pause the bucket, send later), not the client's.
      client: () => (client ??= telegramFor(this.deps.env, bot, { log: this.deps.log, ...(this.deps.gate && { maxRetryAfter: 0 }) })),
      journal: this.deps.journal,
      coordinator: this.deps.port,
      ...(this.deps.gate && { gate: this.deps.gate }),
    };
    const done: number[] = [];
    const handled: number[] = [];
    const failed: { id: number; err: unknown }[] = [];
    const sent: Message[] = [];

    const runChat = async (rows: Omit<InboxRow, "body">[]) => {
      for (const r of rows) {
        let p = fresh?.items.get(r.update_id);
        try {
          p ??= prepare(JSON.parse(inbox.body(r.update_id) ?? "null") as RawUpdate, bot);
          if (!needsHandling(p, fresh?.items.has(r.update_id) ? batch : undefined)) {
            done.push(r.update_id);
            continue;
          }
          await this.deps.faults()?.beforeHandle?.(r.update_id);
          if (r.attempts > 0) inbox.noteRetry();
          const runner = await handleUpdate({ ...deps, log: deps.log.child({ update_id: r.update_id }) }, p, batch);
          sent.push(...runner.sent);
          handled.push(r.update_id);
        } catch (err) {
          failed.push({ id: r.update_id, err });
          return; // the rest of this chat waits for it
        }
      }
    };
    const queue = [...byChat.values()];
    await Promise.all(
      Array.from({ length: Math.min(CHAT_CONCURRENCY, queue.length) }, async () => {
        for (let rows = queue.shift(); rows; rows = queue.shift()) await runChat(rows);
      }),
    );

    // The replies sent, stored as outgoing messages in one batch. If that fails, the updates
    // are handled again later: the journal skips every send and gives back what to store.
    this.#spent += handled.length + failed.length + (sent.length > 0 ? 2 : 0);
    if (sent.length > 0) {
      try {
        await runBatch(db, outgoingGroupStmts(db, bot.id, sent));
      } catch (err) {
        for (const id of handled.splice(0)) failed.push({ id, err });
      }
    }
    inbox.markDone([...done, ...handled], this.deps.now());
    this.stats.handled += done.length + handled.length;
    for (const f of failed) {
      if (f.err instanceof TelegramError && f.err.errorCode === 429) {
        // Telegram asked us to wait: not the update's fault.
        const wait = (f.err.retryAfter ?? 5) * 1000;
        inbox.markFailed(f.id, f.err.message, () => now + wait, false);
        continue;
      }
      if (!(await this.#d1Writable(db, bot.id))) {
        this.#pause(now, message(f.err));
        for (const g of failed) inbox.markFailed(g.id, message(g.err), () => now + OUTAGE_RETRY_MS, false);
        break;
      }
      this.#failed(f.id, f.err, now);
    }
    return done.length + handled.length + failed.length > 0;
  }

  /** A failure of one update while D1 takes writes: counted, retried with backoff, dead-lettered after MAX_ATTEMPTS. */
  #failed(updateId: number, err: unknown, now: number): void {
    const { inbox, log } = this.deps;
    const error = message(err);
    const attempts = inbox.markFailed(updateId, error, (n) => now + backoffMs(n), true);
    log.error("update failed", { bot_id: this.deps.botId, update_id: updateId, attempts, error: err });
    if (attempts >= MAX_ATTEMPTS) {
      inbox.deadLetter(updateId, error, now);
      log.error("update dead-lettered", { bot_id: this.deps.botId, update_id: updateId, attempts, error });
    }
  }

  #pause(now: number, error: string): void {
    this.#pausedUntil = now + OUTAGE_RETRY_MS;
    this.deps.inbox.bump("failures");
    this.deps.inbox.setMeta("last_error", JSON.stringify({ update_id: null, error: `D1 unavailable: ${error.slice(0, 400)}`, at: now }));
    this.deps.log.warn("D1 unavailable; the inbox waits", { bot_id: this.deps.botId, retry_in_ms: OUTAGE_RETRY_MS, error });
  }

  /** Does D1 take a write right now? (Tells an outage from an update D1 refuses.) */
  async #d1Writable(db: Db, botId: number): Promise<boolean> {
    try {
      await runBatch(db, [
        stmt(
          db,
          sql`INSERT INTO bot_counters (bot_id, name, value, updated_at) VALUES (${botId}, 'drain_probe', 0, ${Math.floor(Date.now() / 1000)})
            ON CONFLICT (bot_id, name) DO UPDATE SET updated_at = excluded.updated_at`,
        ),
      ]);
      return true;
    } catch {
      return false;
    }
  }
}
