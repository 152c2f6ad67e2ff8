// The coordinator's AI work: per-chat queues in its storage (see ai-queue.ts), one reply in
// flight per chat, chats side by side, and every reply journaled under the update it answers
// (keys "ai:..."), so a job answered again after the object died mid-answer never sends twice.
import type { AiEffects, Lane } from "../ai/effects";
import { type AiJob, MAX_JOB_TEXT } from "../ai/job";
import { doMemoryStore, moveMemory } from "../ai/memory";
import { answerJobs } from "../ai/reply";
import { EditBudget } from "../ai/stream-out";
import { type BotRow, findBot } from "../db/bots";
import { createDb } from "../db/client";
import { runBatch } from "../db/d1";
import type { Db, Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import { type CoordinatorPort, EffectRunner } from "../telegram/ingest/effects";
import type { SendGate } from "../telegram/ingest/send-gate";
import { outgoingStmts } from "../telegram/outgoing";
import { chatsWithWork, enqueue, nextBatch, removeJobs } from "./ai-queue";
import type { SqlJournal } from "./journal";
import { dueBy, setDue } from "./schedule";

export const AI_WORK = "ai";
/** The last question of each user in a chat (its queued jobs), for /retry: one value per chat, like its memory. */
const lastQuestionKey = (chatId: number) => `ailast:${chatId}`;
/**
 * The most askers remembered per chat (the oldest forgotten first) and the most text kept of
 * each question, so the value stays well under a storage value's 128 KiB.
 */
const LAST_QUESTIONS_PER_CHAT = 10;
type LastQuestions = [userId: number, job: AiJob][];
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
  /** The answer in flight per chat, for /cancel. */
  #inFlight = new Map<number, { job: AiJob; abort: AbortController }>();
  #budget = new EditBudget();
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
    await this.deps.ctx.storage.delete(lastQuestionKey(chatId));
  }

  /** A group became a supergroup: its memory, summary notice and last questions go on under the new id. */
  async moveChat(oldId: number, newId: number): Promise<void> {
    const storage = this.deps.ctx.storage;
    await moveMemory(storage, oldId, newId);
    const last = await storage.get<LastQuestions>(lastQuestionKey(oldId));
    if (last) {
      const kept = (await storage.get<LastQuestions>(lastQuestionKey(newId))) ?? [];
      const askers = new Set(kept.map(([u]) => u));
      await storage.put(lastQuestionKey(newId), [...last.filter(([u]) => !askers.has(u)), ...kept].slice(-LAST_QUESTIONS_PER_CHAT));
      await storage.delete(lastQuestionKey(oldId));
    }
  }

  async #rememberQuestion(chatId: number, userId: number, jobs: AiJob[]): Promise<void> {
    const storage = this.deps.ctx.storage;
    const all = ((await storage.get<LastQuestions>(lastQuestionKey(chatId))) ?? []).filter(([u]) => u !== userId);
    const last = jobs[jobs.length - 1] as AiJob;
    all.push([
      userId,
      {
        ...last,
        text: jobs
          .map((j) => j.text)
          .join("\n")
          .slice(0, MAX_JOB_TEXT),
      },
    ]);
    await storage.put(lastQuestionKey(chatId), all.slice(-LAST_QUESTIONS_PER_CHAT));
  }

  /** Answers every chat with queued messages; chats in parallel, one reply in flight per chat. */
  /** Resolves once no AI answer is queued or being written (tests and tools wait for it; bounded). */
  async idle(maxMs = 60_000): Promise<boolean> {
    const until = Date.now() + maxMs;
    while (this.#busy.size > 0 || (await chatsWithWork(this.deps.ctx.storage)).length > 0) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

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
        const last = batch[batch.length - 1];
        if (!first || !last) return;
        const db = createDb(this.deps.env.DB);
        const bot = await findBot(db, first.botId);
        const abort = new AbortController();
        this.#inFlight.set(chatId, { job: last, abort });
        try {
          if (bot?.aiEnabled) {
            const log = this.deps.log.child({ bot_id: bot.id, chat_id: chatId });
            await this.#rememberQuestion(chatId, last.userId, batch);
            await answerJobs(
              {
                env: this.deps.env,
                db,
                log,
                bot,
                clock: this.deps.clock,
                memory: doMemoryStore(this.deps.ctx.storage),
                effects: this.#effects(db, log, bot, last.updateId),
                budget: this.#budget,
                signal: abort.signal,
              },
              batch,
            );
          }
        } catch (err) {
          // Dropped rather than retried forever: a reply that cannot be sent is logged.
          this.deps.log.error("AI reply failed", { bot_id: first.botId, chat_id: chatId, error: err });
        } finally {
          this.#inFlight.delete(chatId);
        }
        await this.#queue(() => removeJobs(this.deps.ctx.storage, chatId, batch));
      }
    } finally {
      this.#busy.delete(chatId);
    }
  }

  /**
   * /cancel: stops the answer in flight in this chat. In a group only the person it answers
   * may stop it. Answers what happened, for the command's reply.
   */
  cancel(chatId: number, userId: number): "stopped" | "none" | "not_yours" {
    const running = this.#inFlight.get(chatId);
    if (!running || running.abort.signal.aborted) return "none";
    if (running.job.chatType !== "private" && running.job.userId !== userId) return "not_yours";
    running.abort.abort();
    return "stopped";
  }

  /** /retry: queues this user's last question in this chat again, answering the /retry message. */
  async retry(req: { chatId: number; userId: number; updateId: number; messageId: number; threadId?: number }): Promise<boolean> {
    const all = (await this.deps.ctx.storage.get<LastQuestions>(lastQuestionKey(req.chatId))) ?? [];
    const asked = all.find(([u]) => u === req.userId)?.[1];
    if (!asked) return false;
    // One job under the /retry update's id: the queue's dedupe and the journal's keys stay
    // apart from the first answer's.
    const { threadId: _t, ...rest } = asked;
    await this.enqueue({
      ...rest,
      updateId: req.updateId,
      messageId: req.messageId,
      ...(req.threadId !== undefined ? { threadId: req.threadId } : {}),
    });
    return true;
  }

  /**
   * The AI reply's Bot API calls, journaled under the answered update (keys "ai:<lane>..."),
   * so a job answered again after the object died mid-answer does not send twice.
   */
  #effects(db: Db, log: Logger, bot: BotRow, updateId: number): AiEffects {
    const runners = new Map<Lane, EffectRunner>();
    const runner = (lane: Lane) => {
      let r = runners.get(lane);
      if (!r) {
        r = new EffectRunner(
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
          `ai:${lane}`,
        );
        runners.set(lane, r);
      }
      return r;
    };
    return {
      call: (lane, method, params) => runner(lane).call(method, params),
      reply: async (lane, chatId, text, extra = {}) => {
        const r = runner(lane);
        const before = r.sent.length;
        const sentNow = await r.reply(chatId, text, extra);
        if (sentNow?.length) await runBatch(db, outgoingStmts(db, bot.id, sentNow));
        const all = r.sent.slice(before);
        if (all.length === 0)
          throw new Error(r.unknown.length > 0 ? "AI reply outcome unknown (not repeated)" : "AI reply refused by Telegram");
        return all;
      },
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
