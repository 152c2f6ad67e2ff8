// The coordinator's AI work: per-chat queues in its storage (see ai-queue.ts), one reply in
// flight per chat, chats side by side, and every reply journaled under the update it answers
// (keys "ai:..."), so a job answered again after the object died mid-answer never sends twice.
import type { AiJob } from "../ai/job";
import { doMemoryStore } from "../ai/memory";
import { answerJobs } from "../ai/reply";
import { type BotRow, findBot } from "../db/bots";
import { createDb } from "../db/client";
import { runBatch } from "../db/d1";
import type { Db, Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import { type CoordinatorPort, EffectRunner } from "../telegram/ingest/effects";
import type { SendGate } from "../telegram/ingest/send-gate";
import { type OutgoingMessage, outgoingStmts } from "../telegram/outgoing";
import { chatsWithWork, enqueue, nextBatch, removeJobs } from "./ai-queue";
import type { SqlJournal } from "./journal";
import { dueBy, setDue } from "./schedule";

export const AI_WORK = "ai";
/** If a drain of the AI queue dies with the object, the alarm picks the work up after this. */
const AI_SAFETY_NET_MS = 60_000;

export interface AiWorkDeps {
  ctx: DurableObjectState;
  readonly env: Env;
  readonly clock: Clock;
  log: Logger;
  journal: SqlJournal;
  port: () => CoordinatorPort;
  /** The send governor: an AI answer waits for its slot (in its chat's own loop). */
  gate?: SendGate;
}

export class AiWork {
  #busy = new Set<number>();
  #queueTail: Promise<unknown> = Promise.resolve();

  constructor(readonly deps: AiWorkDeps) {}

  /** Queues an AI reply; answers at once, the reply follows. Deduped by update_id. */
  async enqueue(job: AiJob): Promise<{ queued: boolean; duplicate: boolean }> {
    const { ctx, clock } = this.deps;
    const queued = await this.#queue(() => enqueue(ctx.storage, job));
    if (!queued) return { queued: false, duplicate: true };
    await dueBy(ctx.storage, AI_WORK, clock.now() + AI_SAFETY_NET_MS);
    ctx.waitUntil(this.drain());
    return { queued: true, duplicate: false };
  }

  async clearMemory(chatId: number): Promise<void> {
    await doMemoryStore(this.deps.ctx.storage).clear(chatId);
  }

  /** Answers every chat with queued messages; chats in parallel, one reply in flight per chat. */
  async drain(): Promise<void> {
    const storage = this.deps.ctx.storage;
    const chats = (await chatsWithWork(storage)).filter((c) => !this.#busy.has(c));
    await Promise.allSettled(chats.map((c) => this.#answerChat(c)));
    if ((await chatsWithWork(storage)).length === 0) await setDue(storage, AI_WORK, null);
    else if (this.#busy.size === 0) await dueBy(storage, AI_WORK, this.deps.clock.now() + 1000);
  }

  async #answerChat(chatId: number): Promise<void> {
    if (this.#busy.has(chatId)) return;
    this.#busy.add(chatId);
    try {
      for (;;) {
        const batch = await nextBatch(this.deps.ctx.storage, chatId);
        const first = batch[0];
        if (!first) return;
        const db = createDb(this.deps.env.DB);
        const bot = await findBot(db, first.botId);
        try {
          if (bot?.aiEnabled) {
            const log = this.deps.log.child({ bot_id: bot.id, chat_id: chatId });
            const send = this.#journaledSend(db, log, bot, batch[batch.length - 1]?.updateId ?? first.updateId);
            await answerJobs(
              { env: this.deps.env, db, log, bot, clock: this.deps.clock, memory: doMemoryStore(this.deps.ctx.storage), send },
              batch,
            );
          }
        } catch (err) {
          // Dropped rather than retried forever: a reply that cannot be sent is logged.
          this.deps.log.error("AI reply failed", { bot_id: first.botId, chat_id: chatId, error: err });
        }
        await this.#queue(() => removeJobs(this.deps.ctx.storage, chatId, batch));
      }
    } finally {
      this.#busy.delete(chatId);
    }
  }

  /**
   * The AI reply's sends, journaled under the answered update (keys "ai:..."), so a job
   * answered again after the object died mid-answer does not send twice. Throws when a reply
   * did not certainly arrive (refused, or outcome unknown), for the AI side to count it.
   */
  #journaledSend(db: Db, log: Logger, bot: BotRow, updateId: number) {
    const runner = new EffectRunner(
      {
        env: this.deps.env,
        db,
        log,
        bot,
        client: () => telegramFor(this.deps.env, bot, { log, ...(this.deps.gate && { maxRetryAfter: 0 }) }),
        journal: this.deps.journal,
        coordinator: this.deps.port(),
        ...(this.deps.gate && { gate: this.deps.gate }),
      },
      updateId,
      "ai:",
    );
    return async (msg: OutgoingMessage & { type: "text" }) => {
      const { type: _t, chat_id, text, ...extra } = msg;
      const before = runner.sent.length;
      const sent = await runner.reply(Number(chat_id), text, extra);
      const now = runner.sent.slice(before);
      if (now.length > 0) await runBatch(db, outgoingStmts(db, bot.id, now));
      if (!sent && now.length === 0)
        throw new Error(runner.unknown.length > 0 ? "AI reply outcome unknown (not repeated)" : "AI reply refused by Telegram");
      return now;
    };
  }

  /**
   * The AI queue's read-modify-writes, one at a time: the drain offers messages of several
   * chats side by side within one event, where the input gate does not keep them apart.
   */
  #queue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queueTail.then(fn);
    this.#queueTail = run.catch(() => undefined);
    return run;
  }
}
