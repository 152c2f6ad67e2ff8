// The durable outbox: replies the inbox drain could not send at once (their chat or the bot
// was at its limit), queued in the coordinator's own SQLite under the journal key of the
// update they answer, and sent by the coordinator as soon as the send governor allows.
//  - Queue: the outbox row and the journal's "queued" entry are written in one transaction,
//    before the update is marked done in the same storage, so a reply is neither lost nor
//    queued twice (a retry of the update finds "queued" and skips it).
//  - Send: one lane per chat, in queue order, each waiting in the governor (chats side by
//    side: a group over its 20/min holds only its own lane). Each send is journaled like any
//    other: "sending" durable before it leaves, then sent / refused / unknown; an unknown
//    outcome is never repeated. A 429 puts it back to "queued" (its bucket paused); a
//    migrate_to_chat_id refusal is journaled and the send queued again for the new id.
//  - What was sent is stored in D1 as outgoing; a failed store is tried again later (the
//    row keeps the sent messages until then).
//  - Woken by a timer (the lanes' own waits) and by the alarm (OUTBOX_WORK, a safety net
//    that also restarts the lanes after the object was evicted).
import type { Message } from "@grammyjs/types";
import { type BotRow, findBot } from "../db/bots";
import { createDb } from "../db/client";
import { runBatch } from "../db/d1";
import type { Env } from "../env";
import type { ApiParams } from "../lib/bot-api";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import type { TelegramClient } from "../telegram/client";
import { TelegramError } from "../telegram/errors";
import { migrateChat } from "../telegram/ingest/migrate";
import type { ChatRef, DeferredSend } from "../telegram/ingest/send-gate";
import { outgoingStmts } from "../telegram/outgoing";
import type { Governor } from "./governor";
import type { SqlJournal } from "./journal";
import { dueBy, setDue } from "./schedule";

export const OUTBOX_WORK = "outbox";
/** The alarm looks at the outbox this often while it holds anything (restarts lanes after an eviction). */
const OUTBOX_SAFETY_NET_MS = 30_000;
const MAX_FLOOD_RETRIES = 5;
/** How long sent messages wait to be stored in D1 together. */
const STORE_EVERY_MS = 250;
/** Rows per store: the IN list stays under the 100 bound parameters a Durable Object query takes. */
const STORE_BATCH = 90;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  update_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  chat TEXT NOT NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  sent TEXT,
  floods INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  UNIQUE (update_id, key)
);
CREATE INDEX IF NOT EXISTS outbox_chat ON outbox (chat, id);
`;

type Row = { id: number; update_id: number; key: string; chat: string; method: string; params: string; floods: number };

export interface OutboxDeps {
  storage: DurableObjectStorage;
  readonly env: Env;
  clock(): Clock;
  log: Logger;
  journal: SqlJournal;
  governor: () => Governor;
  botId: () => number;
}

export class Outbox {
  readonly #lanes = new Map<string, Promise<void>>();
  #storeTimer: ReturnType<typeof setTimeout> | undefined;
  #storing: Promise<void> | undefined;
  #bot: { row: BotRow; client: TelegramClient; at: number } | undefined;
  readonly stats = { queued: 0, sent: 0, refused: 0, unknown: 0, floods: 0, migrated: 0 };

  constructor(readonly deps: OutboxDeps) {
    deps.storage.sql.exec(SCHEMA);
  }

  get #sql(): SqlStorage {
    return this.deps.storage.sql;
  }

  /** Sends of this chat still queued. */
  queuedFor(chat: ChatRef): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE chat = ? AND state = 'queued'", String(chat)).one().n;
  }

  depth(): { queued: number; unstored: number } {
    const r = this.#sql
      .exec<{ q: number; u: number }>("SELECT coalesce(sum(state = 'queued'), 0) AS q, coalesce(sum(state = 'sent'), 0) AS u FROM outbox")
      .one();
    return { queued: r.q, unstored: r.u };
  }

  /** Queues a send (the drain's reply that cannot go at once), with its journal entry, in one transaction. */
  async defer(send: DeferredSend): Promise<void> {
    const { journal, storage, clock } = this.deps;
    const now = clock().now();
    storage.transactionSync(() => {
      this.#sql.exec(
        "INSERT OR IGNORE INTO outbox (update_id, key, chat, method, params, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
        send.updateId,
        send.key,
        String(send.chatId),
        send.method,
        JSON.stringify(send.params),
        now,
      );
      journal.mark(send.updateId, send.key, "queued");
    });
    // No flush of its own: the update is marked done in this same storage afterwards, so
    // either both are durable or neither is (and the update is handled again, queueing it again).
    this.stats.queued += 1;
    await dueBy(storage, OUTBOX_WORK, now + OUTBOX_SAFETY_NET_MS);
    this.#startLane(String(send.chatId));
  }

  /** Starts a lane for every chat with queued sends that has none, and stores what was sent but not stored. */
  kick(): void {
    const chats = this.#sql.exec<{ chat: string }>("SELECT DISTINCT chat FROM outbox WHERE state = 'queued'").toArray();
    for (const { chat } of chats) this.#startLane(chat);
  }

  #startLane(chat: string): void {
    if (this.#lanes.has(chat)) return;
    const lane = this.#lane(chat).catch((error) => this.deps.log.error("outbox lane failed", { chat, error }));
    this.#lanes.set(chat, lane);
    void lane.finally(() => {
      if (this.#lanes.get(chat) === lane) this.#lanes.delete(chat);
      void this.#afterLane();
    });
  }

  /** The alarm's turn: restart lanes, store leftovers, keep the safety net while work is left. */
  async fromAlarm(): Promise<void> {
    await this.#storeUnstored();
    this.kick();
    await this.#afterLane();
  }

  /** Resolves once every lane has finished (tests and the bench; with a fake clock the waits pass at once). */
  async idle(): Promise<void> {
    for (;;) {
      this.kick();
      if (this.#lanes.size === 0) break;
      await Promise.all([...this.#lanes.values()]);
    }
    await this.#storeUnstored();
  }

  async #afterLane(): Promise<void> {
    const d = this.depth();
    const at = d.queued + d.unstored > 0 ? this.deps.clock().now() + OUTBOX_SAFETY_NET_MS : null;
    if (at === null && this.#lanes.size > 0) return;
    await setDue(this.deps.storage, OUTBOX_WORK, at).catch((error) => this.deps.log.error("arming the outbox alarm failed", { error }));
  }

  async #lane(chat: string): Promise<void> {
    for (;;) {
      const row = this.#sql
        .exec<Row>(
          "SELECT id, update_id, key, chat, method, params, floods FROM outbox WHERE chat = ? AND state = 'queued' ORDER BY id LIMIT 1",
          chat,
        )
        .toArray()[0];
      if (!row) return;
      await this.#sendOne(row);
    }
  }

  async #client(): Promise<{ row: BotRow; client: TelegramClient } | undefined> {
    const now = Date.now();
    if (this.#bot && now - this.#bot.at < 10_000) return this.#bot;
    const row = await findBot(createDb(this.deps.env.DB), this.deps.botId());
    if (!row) return undefined;
    // No retries of its own on a 429: the governor pauses the bucket and the lane tries again.
    const client = await telegramFor(this.deps.env, row, { log: this.deps.log, maxRetryAfter: 0 });
    this.#bot = { row, client, at: now };
    return this.#bot;
  }

  async #sendOne(row: Row): Promise<void> {
    const { journal, log } = this.deps;
    const params = JSON.parse(row.params) as Record<string, unknown>;
    const chat: ChatRef = typeof params.chat_id === "number" || typeof params.chat_id === "string" ? params.chat_id : row.chat;
    const bot = await this.#client();
    if (!bot) {
      log.warn("bot is gone; its queued sends are dropped", { bot_id: this.deps.botId() });
      this.#finish(row, "refused", { error: "the bot was deleted before this send" });
      return;
    }
    this.deps.governor().configure(bot.row);
    const slot = await this.deps.governor().acquire(chat, "message");
    const prior = journal.get(row.update_id, row.key);
    if (prior && prior.state !== "queued") {
      // An earlier lane died after the intent ("sending": it may have arrived) or after the
      // send itself: never sent again.
      if (prior.state === "sending") this.#finish(row, "unknown", { error: "the coordinator stopped before Telegram answered" });
      else this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
      return;
    }
    // The intent, durable before the request leaves: the output gate holds the fetch until it is.
    journal.intend(row.update_id, row.key);
    this.deps.governor().departed(chat, "message", slot);
    let sent: Message[];
    try {
      sent =
        row.method === "sendMessage"
          ? await bot.client.sendText(params as ApiParams<"sendMessage">)
          : [(await bot.client.call(row.method as "sendMessage", params as ApiParams<"sendMessage">)) as Message];
    } catch (err) {
      await this.#failed(row, chat, params, err, bot.row);
      return;
    }
    this.deps.storage.transactionSync(() => {
      journal.end(row.update_id, row.key, "sent", sent);
      this.#sql.exec("UPDATE outbox SET state = 'sent', sent = ? WHERE id = ?", JSON.stringify(sent), row.id);
    });
    this.stats.sent += 1;
    this.#storeSoon();
  }

  /** Sent messages are stored in D1 together, a moment later (two statements for any number). */
  #storeSoon(): void {
    if (this.#storeTimer) return;
    this.#storeTimer = setTimeout(() => {
      this.#storeTimer = undefined;
      void this.#storeUnstored();
    }, STORE_EVERY_MS);
  }

  async #failed(row: Row, chat: ChatRef, params: Record<string, unknown>, err: unknown, bot: BotRow): Promise<void> {
    const { journal, log, storage } = this.deps;
    if (err instanceof TelegramError && err.errorCode === 429 && row.floods < MAX_FLOOD_RETRIES) {
      // Not done, says Telegram: back in line once its bucket's pause has passed.
      storage.transactionSync(() => {
        journal.mark(row.update_id, row.key, "queued");
        this.#sql.exec("UPDATE outbox SET floods = floods + 1 WHERE id = ?", row.id);
      });
      this.deps.governor().flood(chat, "message", err.retryAfter ?? 5);
      this.stats.floods += 1;
      log.warn("telegram asked to wait; the queued send waits its bucket's pause", { key: row.key, retry_after: err.retryAfter });
      return;
    }
    const to = err instanceof TelegramError ? err.migrateToChatId : undefined;
    if (to !== undefined && typeof chat === "number") {
      // Not delivered: queued again for the supergroup under its own key, in one transaction.
      const key = `${row.key}>to:${to}`;
      storage.transactionSync(() => {
        journal.end(row.update_id, row.key, "refused", {
          error: 400,
          description: (err as TelegramError).description,
          migrate_to_chat_id: to,
        });
        this.#sql.exec(
          "INSERT OR IGNORE INTO outbox (update_id, key, chat, method, params, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
          row.update_id,
          key,
          String(to),
          row.method,
          JSON.stringify({ ...params, chat_id: to }),
          this.deps.clock().now(),
        );
        journal.mark(row.update_id, key, "queued");
        this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
      });
      await storage.sync();
      this.stats.migrated += 1;
      log.info("chat migrated; the queued send goes to the new chat id", { from: chat, to });
      await migrateChat(createDb(this.deps.env.DB), bot.id, chat, to).catch((error) =>
        log.error("moving a migrated chat's rows failed", { error }),
      );
      this.kick();
      return;
    }
    const definite = err instanceof TelegramError && err.errorCode >= 400 && err.errorCode < 500;
    if (definite) {
      this.#finish(row, "refused", { error: err.errorCode, description: err.description });
      log.warn("telegram refused a queued send; not retried", { key: row.key, error: err.message });
    } else {
      this.#finish(row, "unknown", { error: (err instanceof Error ? err.message : String(err)).slice(0, 300) });
      log.warn("queued send outcome unknown; not repeated", { key: row.key, error: err });
    }
  }

  #finish(row: Row, state: "refused" | "unknown", value: unknown): void {
    this.deps.storage.transactionSync(() => {
      this.deps.journal.end(row.update_id, row.key, state, value);
      this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
    });
    this.stats[state] += 1;
  }

  /** Stores what was sent but not stored yet, in batches; a failure leaves it for the next try. */
  async #storeUnstored(): Promise<void> {
    while (this.#storing) await this.#storing;
    this.#storing = (async () => {
      for (;;) {
        const rows = this.#sql
          .exec<{ id: number; sent: string }>("SELECT id, sent FROM outbox WHERE state = 'sent' ORDER BY id LIMIT ?", STORE_BATCH)
          .toArray();
        if (rows.length === 0) return;
        const bot = await this.#client();
        const ids = rows.map((r) => r.id);
        if (bot) {
          const db = createDb(this.deps.env.DB);
          try {
            await runBatch(
              db,
              outgoingStmts(
                db,
                bot.row.id,
                rows.flatMap((r) => JSON.parse(r.sent) as Message[]),
              ),
            );
          } catch (error) {
            this.deps.log.warn("storing sent replies failed; tried again later", { error });
            return;
          }
        }
        this.#sql.exec(`DELETE FROM outbox WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids);
      }
    })();
    try {
      await this.#storing;
    } finally {
      this.#storing = undefined;
    }
  }
}
