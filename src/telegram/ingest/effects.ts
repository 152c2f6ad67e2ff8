// Side effects of handling one update (replies, edits, callback answers), each performed
// at most once: every effect gets a key from its call order; an effect recorded in the
// ledger by an earlier attempt is skipped. A reply's record is committed in the same batch
// as its stored outgoing message, before the next effect starts or with the update's
// "done". A failed commit of those records is retried a few times. (The one unavoidable
// gap: Telegram accepted a call and that commit then failed every time, or we crashed
// before it; a redelivery then repeats that one call.)

import type { Message } from "@grammyjs/types";
import type { BotRow } from "../../db/bots";
import type { Db, Env } from "../../env";
import type { Logger } from "../../lib/log";
import type { ApiMethod, ApiParams, ApiResult, TelegramClient } from "../client";
import { TelegramError } from "../errors";
import { outgoingStmts, sendOnly } from "../outgoing";
import { runBatch } from "./d1";
import { type Effects, recordSentStmt } from "./ledger";

export interface EffectDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  client: () => Promise<TelegramClient>;
}

/** Telegram refused for good (blocked, bad request): retrying the update cannot help, so we record and move on. */
function isPermanent(err: unknown): err is TelegramError {
  return err instanceof TelegramError && err.errorCode >= 400 && err.errorCode < 500 && err.errorCode !== 429;
}

/** Waits before each retry of a failed commit of effect records (then the update fails). */
const RECORD_RETRY_MS = [50, 250];

export class EffectRunner {
  #seq = 0;
  readonly #sent: Record<string, unknown>;
  // Records of effects already performed, not yet committed. They are committed before the
  // next effect starts, or with the update's "done" (finish), so a one-reply command costs
  // one batch for its reply and its completion together.
  #pending: D1PreparedStatement[] = [];

  constructor(
    readonly deps: EffectDeps,
    readonly updateId: number,
    effects: Effects,
  ) {
    this.#sent = { ...(effects.sent ?? {}) };
  }

  /**
   * Commits the pending records (call before anything that might fail for good). They
   * record what Telegram already did, and losing them means a redelivery does it again, so
   * a failed commit is retried (D1's errors are often transient) before the update fails;
   * the records stay pending until they are committed.
   */
  async flush(): Promise<void> {
    const stmts = this.#pending;
    if (stmts.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await runBatch(this.deps.db, stmts);
        break;
      } catch (err) {
        const delay = RECORD_RETRY_MS[attempt];
        if (delay === undefined) throw err;
        this.deps.log.warn("recording a reply failed; retrying", { bot_id: this.deps.bot.id, update_id: this.updateId, error: err });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.#pending = [];
  }

  /** Commits the pending records together with `last` (the ledger's "done"). */
  async finish(last: D1PreparedStatement[]): Promise<void> {
    this.#pending.push(...last);
    await this.flush();
  }

  async reply(chatId: number, text: string, extra: Omit<Partial<ApiParams<"sendMessage">>, "chat_id" | "text"> = {}) {
    const key = `reply:${this.#seq++}`;
    if (key in this.#sent) return undefined;
    const { db, bot } = this.deps;
    await this.flush();
    try {
      const sent: Message[] = await sendOnly(this.deps, { type: "text", ...extra, chat_id: chatId, text }, await this.deps.client());
      this.#pending.push(
        ...outgoingStmts(db, bot.id, sent),
        recordSentStmt(
          db,
          bot.id,
          this.updateId,
          key,
          sent.map((m) => m.message_id),
        ),
      );
      this.#sent[key] = true;
      return sent;
    } catch (err) {
      if (!isPermanent(err)) throw err;
      this.#recordFailure(key, err);
      return undefined;
    }
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M> | undefined> {
    const key = `call:${this.#seq++}:${method}`;
    if (key in this.#sent) return undefined;
    await this.flush();
    try {
      const result = await (await this.deps.client()).call(method, params);
      this.#pending.push(recordSentStmt(this.deps.db, this.deps.bot.id, this.updateId, key, true));
      this.#sent[key] = true;
      return result;
    } catch (err) {
      if (!isPermanent(err)) throw err;
      this.#recordFailure(key, err);
      return undefined;
    }
  }

  #recordFailure(key: string, err: TelegramError) {
    this.deps.log.warn("telegram refused a reply; not retried", { bot_id: this.deps.bot.id, key, error: err.message });
    const value = { error: err.errorCode, description: err.description };
    this.#pending.push(recordSentStmt(this.deps.db, this.deps.bot.id, this.updateId, key, value));
    this.#sent[key] = true;
  }
}
