// Side effects of handling one update (replies, edits, callback answers), each performed
// at most once. Every call gets a key from its call order (each piece of a long reply its
// own), and goes through the journal the caller provides (the coordinator's storage):
//  - a key already journaled is skipped: "sent" gives back what was sent (so the caller can
//    store it again if storing failed), "sending" (an attempt died mid-call) becomes
//    "unknown";
//  - otherwise the intent is made durable, the call made, and its outcome journaled right
//    after Telegram answers: sent, refused (Telegram said no for good), or unknown (5xx,
//    dropped connection, timeout: it may have arrived, so it is never repeated). Only a 429,
//    which Telegram documents as "not done", clears the key: with the coordinator's send
//    governor (`gate`) it pauses the right bucket and the call is tried again after it (in
//    the drain: queued in the outbox); without one it fails the update, tried again later.
//  - with a gate, every call first takes a slot in the bot's token buckets (send-gate.ts).
//    In the drain a message that cannot go at once is queued in the durable outbox (journaled
//    "queued") instead of holding the drain; elsewhere (AI answers) the caller waits.
//  - a message refused with parameters.migrate_to_chat_id (the group became a supergroup)
//    was not delivered: it is journaled refused and sent again to the new chat id under its
//    own key ("<key>>to:<id>").
// Sent messages are collected, not stored here: the coordinator stores a whole batch's
// outgoing messages in one D1 batch.

import type { Message } from "@grammyjs/types";
import type { AiJob } from "../../ai/job";
import type { BotRow } from "../../db/bots";
import type { Db, Env } from "../../env";
import type { ApiMethod, ApiParams, ApiResult } from "../../lib/bot-api";
import type { Logger } from "../../lib/log";
import { splitText } from "../../lib/split-text";
import type { TelegramClient } from "../client";
import { TelegramError } from "../errors";
import { migrateChat } from "./migrate";
import { type ChatRef, isMessageMethod, type SendGate, type SendKind } from "./send-gate";

export interface JournalEntry {
  /** "queued": waiting in the coordinator's outbox, which journals its outcome under the same key. */
  state: "queued" | "sending" | "sent" | "refused" | "unknown";
  value?: unknown;
}

/** Where effects are journaled (the coordinator's SQLite storage; a map in unit tests). */
export interface Journal {
  get(updateId: number, key: string): JournalEntry | undefined;
  /** Records the intent durably before the call leaves. */
  begin(updateId: number, key: string): Promise<void>;
  end(updateId: number, key: string, state: Exclude<JournalEntry["state"], "sending" | "queued">, value?: unknown): void;
  forget(updateId: number, key: string): void;
}

/** What handling an update may ask of the bot's coordinator, passed down instead of called up. */
export interface CoordinatorPort {
  /** Queues an AI reply (deduped by update_id); the reply follows later. */
  enqueueAi(job: AiJob): Promise<{ queued: boolean; duplicate: boolean }>;
  /** Forgets a chat's AI conversation memory (/reset). */
  clearAiMemory(chatId: number): Promise<void>;
  /** A group became a supergroup: its AI memory moves to the new id (idempotent). */
  migrateChat(oldId: number, newId: number): Promise<void>;
  /** /cancel: stops the AI answer in flight in the chat (in a group, only its asker may). */
  cancelAi(chatId: number, userId: number): Promise<"stopped" | "none" | "not_yours">;
  /** /retry: queues the user's last question in the chat again; false when there is none. */
  retryAi(req: AiRetryRequest): Promise<boolean>;
}

export interface AiRetryRequest {
  chatId: number;
  userId: number;
  /** The /retry update and message: the new answer's dedupe key and reply target. */
  updateId: number;
  messageId: number;
  threadId?: number;
}

export interface EffectDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  client: () => Promise<TelegramClient>;
  journal: Journal;
  coordinator: CoordinatorPort;
  /** The coordinator's send governor; absent in unit tests (no pacing). */
  gate?: SendGate;
}

/** How many 429s one call may meet before it gives up (each one paused its bucket first). */
const MAX_FLOOD_RETRIES = 5;

/** Telegram refused for good (blocked, bad request): retrying the update cannot help. */
function isPermanent(err: unknown): err is TelegramError {
  return err instanceof TelegramError && err.errorCode >= 400 && err.errorCode < 500 && err.errorCode !== 429;
}

function isFloodWait(err: unknown): err is TelegramError {
  return err instanceof TelegramError && err.errorCode === 429;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export class EffectRunner {
  #seq = 0;
  /** Messages sent (or found sent by an earlier attempt), for the caller to store. */
  readonly sent: Message[] = [];
  /** Calls whose outcome is unknown in this attempt (journaled; never repeated). */
  readonly unknown: string[] = [];

  /** `prefix` keeps apart the keys of work done for one update outside its handling (e.g. "ai:" for its AI reply). */
  constructor(
    readonly deps: EffectDeps,
    readonly updateId: number,
    readonly prefix = "",
  ) {
    deps.gate?.configure(deps.bot);
  }

  /** Sends text (split over 4096 characters, each piece journaled); answers what was sent now. */
  async reply(chatId: number, text: string, extra: Omit<Partial<ApiParams<"sendMessage">>, "chat_id" | "text"> = {}) {
    const n = this.#seq++;
    const sentNow: Message[] = [];
    const pieces = splitText(text);
    for (let i = 0; i < pieces.length; i++) {
      const key = `${this.prefix}${pieces.length === 1 ? `reply:${n}` : `reply:${n}:${i}`}`;
      const params = { ...extra, chat_id: chatId, text: pieces[i] ?? "" };
      const outcome = await this.#once(key, "sendMessage", params, async (p) =>
        (await this.deps.client()).sendText(p as ApiParams<"sendMessage">),
      );
      if (outcome.kind === "done") {
        const msgs = outcome.value as Message[];
        sentNow.push(...msgs);
        this.sent.push(...msgs);
      } else if (outcome.kind === "skipped") {
        if (Array.isArray(outcome.value)) this.sent.push(...(outcome.value as Message[]));
      } else if (outcome.kind !== "queued") {
        // Refused or unknown: the rest of the reply would only make it worse.
        break;
      }
    }
    return sentNow.length > 0 ? sentNow : undefined;
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M> | undefined> {
    const key = `${this.prefix}call:${this.#seq++}:${method}`;
    const outcome = await this.#once(key, method, params as Record<string, unknown>, async (p) =>
      (await this.deps.client()).call(method, p as ApiParams<M>),
    );
    return outcome.kind === "done" ? (outcome.value as ApiResult<M>) : undefined;
  }

  async #once(
    key: string,
    method: string,
    params: Record<string, unknown>,
    run: (params: Record<string, unknown>) => Promise<unknown>,
  ): Promise<{ kind: "done" | "skipped" | "queued" | "refused" | "unknown"; value?: unknown }> {
    const { journal, log, bot, gate } = this.deps;
    const id = this.updateId;
    const prior = journal.get(id, key);
    if (prior) {
      if (prior.state === "sending") {
        // An earlier attempt died between the intent and the answer: it may have arrived.
        journal.end(id, key, "unknown", { error: "attempt ended before Telegram answered" });
        log.warn("send outcome unknown; not repeated", { bot_id: bot.id, update_id: id, key });
        this.unknown.push(key);
      }
      return { kind: prior.state === "queued" ? "queued" : "skipped", value: prior.state === "sent" ? prior.value : undefined };
    }
    const kind: SendKind = isMessageMethod(method) ? "message" : "bot";
    const chat = kind === "message" ? ((params.chat_id as ChatRef | undefined) ?? null) : null;
    const deferrable = kind === "message" && gate?.defer !== undefined && chat !== null && isJsonable(params);
    for (let floods = 0; ; floods++) {
      let slot: number | undefined;
      if (gate) {
        if (deferrable && !gate.tryNow(chat, kind)) {
          await gate.defer?.({ updateId: id, key, chatId: chat as ChatRef, method, params });
          return { kind: "queued" };
        }
        if (!deferrable) slot = await gate.acquire(chat, kind);
      }
      await journal.begin(id, key);
      if (gate && slot !== undefined) gate.departed(chat, kind, slot);
      let value: unknown;
      try {
        value = await run(params);
      } catch (err) {
        if (isFloodWait(err)) {
          journal.forget(id, key);
          if (!gate || floods >= MAX_FLOOD_RETRIES) throw err;
          gate.flood(chat, kind, err.retryAfter ?? 5);
          log.warn("telegram asked to wait; the bucket is paused and the call tried again", {
            bot_id: bot.id,
            update_id: id,
            key,
            retry_after: err.retryAfter,
          });
          continue;
        }
        const to = err instanceof TelegramError ? err.migrateToChatId : undefined;
        if (to !== undefined && kind === "message" && typeof chat === "number") {
          // Not delivered: the group lives on as a supergroup. Journal the refusal, move what
          // we stored, and send to the new id under a key of its own.
          journal.end(id, key, "refused", { error: 400, description: (err as TelegramError).description, migrate_to_chat_id: to });
          log.info("chat migrated; the send goes to the new chat id", { bot_id: bot.id, update_id: id, key, from: chat, to });
          await migrateChat(this.deps.db, bot.id, chat, to);
          return this.#once(`${key}>to:${to}`, method, { ...params, chat_id: to }, run);
        }
        if (isPermanent(err)) {
          journal.end(id, key, "refused", { error: err.errorCode, description: err.description });
          log.warn("telegram refused a call; not retried", { bot_id: bot.id, update_id: id, key, error: err.message });
          return { kind: "refused" };
        }
        journal.end(id, key, "unknown", { error: describe(err) });
        log.warn("send outcome unknown; not repeated", { bot_id: bot.id, update_id: id, key, error: err });
        this.unknown.push(key);
        return { kind: "unknown" };
      }
      // Journaled before anything else happens, so no later failure can make us send it again.
      journal.end(id, key, "sent", Array.isArray(value) ? value : value === true ? true : compact(value));
      return { kind: "done", value };
    }
  }
}

/** Parameters that survive a trip through JSON (an uploaded file does not: such a send waits instead). */
function isJsonable(params: Record<string, unknown>): boolean {
  return Object.values(params).every((v) => v === null || typeof v !== "object" || v.constructor === Object || Array.isArray(v));
}

/** Keeps the journal small: a sent Message is kept whole (it is stored as outgoing), other results only as "true". */
function compact(value: unknown): unknown {
  if (value && typeof value === "object" && "message_id" in value && "chat" in value) return [value];
  return true;
}
