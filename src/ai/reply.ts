// Answers one chat's queued message(s): quota, the chat's mode and model, memory (summarised
// when long), the typing indicator until the first text, the streamed answer (stream-out.ts)
// and its final message, and usage accounting. Every Bot API call goes through `effects`,
// which the coordinator journals (see effects.ts).
import { chatAiChoice } from "../db/ai-settings";
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { type ChainAnswer, completeWithFallback, providersFor } from "./chain";
import type { AiEffects } from "./effects";
import type { AiJob } from "./job";
import { countUsage, firstNotice, limitReached, type UsageSubject } from "./limits";
import { boundMemory, type MemoryStore } from "./memory";
import { findModel, type ModelOption } from "./models";
import type { ChatTurn } from "./provider";
import { type EditBudget, STOPPED_MARK, sinkFor } from "./stream-out";
import { overflowOf, SUMMARY_NOTICE, SUMMARY_SYSTEM, summaryTurns, transcriptOf } from "./summary";
import { DEFAULT_SYSTEM_PROMPT, limitReachedText, POLITE_FAILURE } from "./texts";
import { recordUsage, usageDay } from "./usage";

export interface AiReplyDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  clock: Clock;
  memory: MemoryStore;
  /** The journaled Bot API (the coordinator's, see coordinator/ai-work.ts). */
  effects: AiEffects;
  /** The group edit budget, shared by every answer of the bot. */
  budget: EditBudget;
  /** Aborted by /cancel: the answer stops, what was shown stays, marked "(stopped)". */
  signal?: AbortSignal;
}

export const TYPING_EVERY_MS = 4000;

/** The most text (UTF-16 units) of queued messages merged into one prompt turn. */
export const MAX_PROMPT_CHARS = 8_000;
const OMITTED = "[earlier messages omitted]";

/**
 * The user turn for consecutive queued messages: the newest ones that fit MAX_PROMPT_CHARS
 * (a single longer message is cut), so a flood of messages cannot make an unbounded prompt.
 */
export function mergePrompt(jobs: AiJob[], group: boolean, max = MAX_PROMPT_CHARS): string {
  const picked: string[] = [];
  let size = 0;
  let omitted = false;
  for (let i = jobs.length - 1; i >= 0; i--) {
    const j = jobs[i] as AiJob;
    const line = group ? `${j.userName}: ${j.text}` : j.text;
    const sep = picked.length > 0 ? 1 : 0;
    if (size + sep + line.length > max) {
      // A single message longer than the budget is cut; anything older is left out.
      if (picked.length === 0) {
        picked.push(line.slice(0, max));
        omitted = i > 0;
      } else omitted = true;
      break;
    }
    picked.unshift(line);
    size += sep + line.length;
  }
  return (omitted ? [OMITTED, ...picked] : picked).join("\n");
}

/** The bot's group allowlist lets the AI answer in this chat (private chats always; no list = every group). */
export function groupAllowed(bot: Pick<BotRow, "aiGroupAllowlist">, chatType: AiJob["chatType"], chatId: number): boolean {
  if (chatType === "private" || !bot.aiGroupAllowlist) return true;
  return bot.aiGroupAllowlist.includes(chatId);
}

/** A retried question replaces its earlier exchange at the end of the memory. */
function withoutRetried(history: ChatTurn[], content: string): ChatTurn[] {
  const n = history.length;
  if (history[n - 1]?.role === "assistant" && history[n - 2]?.role === "user" && history[n - 2]?.content === content) {
    return history.slice(0, n - 2);
  }
  return history;
}

export type AnswerOutcome = "replied" | "stopped" | "quota" | "failed" | "not_allowed";

/** `jobs`: consecutive messages of one user in one chat, answered together. */
export async function answerJobs(deps: AiReplyDeps, jobs: AiJob[]): Promise<AnswerOutcome> {
  const { env, db, log, bot, clock, memory, effects } = deps;
  const last = jobs[jobs.length - 1];
  if (!last) return "replied";
  const key = { botId: bot.id, userId: last.userId, day: usageDay(clock.now()) };
  const extra = {
    reply_parameters: { message_id: last.messageId, allow_sending_without_reply: true },
    ...(last.threadId !== undefined ? { message_thread_id: last.threadId } : {}),
  };
  const reply = (text: string) => effects.reply("", last.chatId, text, extra);

  // The allowlist may have changed since the message was queued.
  if (!groupAllowed(bot, last.chatType, last.chatId)) return "not_allowed";

  const subject: UsageSubject = { botId: bot.id, userId: last.userId, chatId: last.chatId };
  const hit = await limitReached(db, bot, subject, clock.now());
  if (hit) {
    // One clear message per limit and period; after that, silence (no reply per message).
    if (await firstNotice(db, subject, hit)) await reply(limitReachedText(hit));
    log.info("AI limit reached", { bot_id: bot.id, chat_id: last.chatId, user_id: last.userId, ...hit });
    return "quota";
  }

  const choice = await chatAiChoice(db, bot.id, last.chatId);
  const chatModel = findModel(bot, choice.model);
  const system = choice.mode?.prompt.trim() || bot.aiSystemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT;
  const content = mergePrompt(jobs, last.chatType !== "private");
  const history = withoutRetried(await memory.load(last.chatId), content);
  const turns: ChatTurn[] = [...history, { role: "user", content }];

  const sink = sinkFor({ effects, job: last, now: () => clock.now(), budget: deps.budget });
  let firstText = false;
  const stopTyping = startTyping(effects, last, () => firstText);
  let answer: ChainAnswer | null;
  try {
    answer = await completeWithFallback(providersFor(env, bot, chatModel), bot, system, turns, log, {
      chatModel,
      stream: {
        signal: deps.signal,
        onText: (soFar) => {
          firstText = true;
          stopTyping();
          sink.onText(soFar);
        },
      },
    });
  } finally {
    stopTyping();
  }
  const stopped = deps.signal?.aborted === true;

  if (!answer && !stopped) {
    await recordUsage(db, key, { failures: 1 });
    await reply(POLITE_FAILURE);
    return "failed";
  }
  const text = stopped ? `${answer?.text ? `${answer.text} ` : ""}${STOPPED_MARK}` : (answer?.text ?? "");
  if (answer) {
    await recordUsage(db, key, { requests: 1, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens });
    await countUsage(db, subject, clock.now(), { requests: 1, tokens: answer.totalTokens });
  }
  try {
    await sink.finish(text);
  } catch (err) {
    // A send whose outcome is unknown is not repeated (it may have arrived); count it where
    // staff see AI usage, then let the coordinator log it.
    await recordUsage(db, key, { failures: 1 }).catch(() => undefined);
    throw err;
  }
  if (answer?.text) {
    await remember(deps, last, [...turns, { role: "assistant", content: answer.text }], chatModel);
  }
  log.info("AI replied", { bot_id: bot.id, chat_id: last.chatId, provider: answer?.provider, merged: jobs.length, stopped });
  return stopped ? "stopped" : "replied";
}

/** Saves the conversation; past the bot's limit the oldest turns are summarised (the chat told once). */
async function remember(deps: AiReplyDeps, job: AiJob, turns: ChatTurn[], chatModel?: ModelOption): Promise<void> {
  const { env, db, log, bot, memory, clock } = deps;
  const over = overflowOf(turns, bot.aiMemoryMessages);
  let kept = turns;
  if (over) {
    const summary = await completeWithFallback(
      providersFor(env, bot, chatModel),
      bot,
      SUMMARY_SYSTEM,
      [{ role: "user", content: transcriptOf(over.old) }],
      log,
      { chatModel },
    );
    if (summary) {
      kept = [...summaryTurns(summary.text), ...over.kept];
      await countUsage(db, { botId: bot.id, userId: job.userId, chatId: job.chatId }, clock.now(), {
        requests: 0,
        tokens: summary.totalTokens,
      });
      if (await memory.firstSummary(job.chatId)) {
        await deps.effects
          .reply("note:", job.chatId, SUMMARY_NOTICE, job.threadId !== undefined ? { message_thread_id: job.threadId } : {})
          .catch((err) => log.warn("summary notice not sent", { error: err }));
      }
    }
  }
  await memory.save(job.chatId, boundMemory(kept, bot.aiMemoryMessages));
}

/** "typing…" now and every few seconds until the first text arrives (or the answer ends). */
function startTyping(effects: AiEffects, job: AiJob, seen: () => boolean): () => void {
  const params = { chat_id: job.chatId, action: "typing" as const, ...(job.threadId ? { message_thread_id: job.threadId } : {}) };
  const send = () => {
    if (!seen()) effects.call("typing:", "sendChatAction", params).catch(() => undefined);
  };
  send();
  const timer = setInterval(send, TYPING_EVERY_MS);
  return () => clearInterval(timer);
}
