// Side effects of handling one update (replies, edits, callback answers), each performed
// at most once: every effect gets a key from its call order; an effect recorded in the
// ledger by an earlier attempt is skipped. A reply and its record are committed in the
// same batch as the stored outgoing message. (The one unavoidable gap: Telegram accepted a
// call and we crashed before recording it; a redelivery then repeats that one call.)

import type { Message } from "@grammyjs/types";
import type { BotRow } from "../../db/bots";
import type { Db, Env } from "../../env";
import type { Logger } from "../../lib/log";
import type { ApiMethod, ApiParams, ApiResult, TelegramClient } from "../client";
import { TelegramError } from "../errors";
import { sendAndStoreWith } from "../outgoing";
import { type Effects, recordSentSql, recordSentStmt } from "./ledger";

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

export class EffectRunner {
  #seq = 0;
  readonly #sent: Record<string, unknown>;

  constructor(
    readonly deps: EffectDeps,
    readonly updateId: number,
    effects: Effects,
  ) {
    this.#sent = { ...(effects.sent ?? {}) };
  }

  async reply(chatId: number, text: string, extra: Omit<Partial<ApiParams<"sendMessage">>, "chat_id" | "text"> = {}) {
    const key = `reply:${this.#seq++}`;
    if (key in this.#sent) return undefined;
    const { db, bot } = this.deps;
    try {
      const sent: Message[] = await sendAndStoreWith(
        this.deps,
        { type: "text", ...extra, chat_id: chatId, text },
        {
          client: await this.deps.client(),
          extra: (msgs) => [
            recordSentStmt(
              db,
              bot.id,
              this.updateId,
              key,
              msgs.map((m) => m.message_id),
            ),
          ],
        },
      );
      this.#sent[key] = true;
      return sent;
    } catch (err) {
      if (!isPermanent(err)) throw err;
      await this.#recordFailure(key, err);
      return undefined;
    }
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M> | undefined> {
    const key = `call:${this.#seq++}:${method}`;
    if (key in this.#sent) return undefined;
    try {
      const result = await (await this.deps.client()).call(method, params);
      await this.deps.db.run(recordSentSql(this.deps.bot.id, this.updateId, key, true));
      this.#sent[key] = true;
      return result;
    } catch (err) {
      if (!isPermanent(err)) throw err;
      await this.#recordFailure(key, err);
      return undefined;
    }
  }

  async #recordFailure(key: string, err: TelegramError) {
    this.deps.log.warn("telegram refused a reply; not retried", { bot_id: this.deps.bot.id, key, error: err.message });
    await this.deps.db.run(recordSentSql(this.deps.bot.id, this.updateId, key, { error: err.errorCode, description: err.description }));
    this.#sent[key] = true;
  }
}
