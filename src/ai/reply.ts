// Answers one chat's queued message(s): quota, memory, typing indicator, the provider
// chain, the reply (split over 4096 characters by sendAndStore), and usage accounting.
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import { type OutgoingMessage, sendAndStore } from "../telegram/outgoing";
import { completeWithFallback, providersFor } from "./chain";
import type { AiJob } from "./job";
import { countUsage, firstNotice, limitReached, type UsageSubject } from "./limits";
import { boundMemory, type MemoryStore } from "./memory";
import { DEFAULT_SYSTEM_PROMPT, limitReachedText, POLITE_FAILURE } from "./texts";
import { recordUsage, usageDay } from "./usage";

export interface AiReplyDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  clock: Clock;
  memory: MemoryStore;
  /**
   * Sends and stores one reply. The coordinator passes one that journals each call (so a
   * job answered again after a restart never sends twice, see telegram/ingest/effects.ts);
   * it throws when the reply did not certainly arrive. Default: sendAndStore.
   */
  send?: (msg: OutgoingMessage & { type: "text" }) => Promise<unknown>;
}

const TYPING_EVERY_MS = 4500;

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

/** `jobs`: consecutive messages of one user in one chat, answered together. */
export async function answerJobs(deps: AiReplyDeps, jobs: AiJob[]): Promise<"replied" | "quota" | "failed" | "not_allowed"> {
  const { env, db, log, bot, clock, memory } = deps;
  const last = jobs[jobs.length - 1];
  if (!last) return "replied";
  const key = { botId: bot.id, userId: last.userId, day: usageDay(clock.now()) };
  const send = deps.send ?? ((msg: OutgoingMessage & { type: "text" }) => sendAndStore({ env, db, log, bot }, msg));
  const reply = (text: string) =>
    send({
      type: "text",
      chat_id: last.chatId,
      text,
      reply_parameters: { message_id: last.messageId, allow_sending_without_reply: true },
      ...(last.threadId !== undefined ? { message_thread_id: last.threadId } : {}),
    });

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

  const history = await memory.load(last.chatId);
  const group = last.chatType !== "private";
  const content = mergePrompt(jobs, group);
  const turns = [...history, { role: "user" as const, content }];

  const stopTyping = await startTyping(deps, last);
  let answer: Awaited<ReturnType<typeof completeWithFallback>>;
  try {
    answer = await completeWithFallback(providersFor(env, bot), bot, bot.aiSystemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT, turns, log);
  } finally {
    stopTyping();
  }

  if (!answer) {
    await recordUsage(db, key, { failures: 1 });
    await reply(POLITE_FAILURE);
    return "failed";
  }
  await memory.save(last.chatId, boundMemory([...turns, { role: "assistant", content: answer.text }], bot.aiMemoryMessages));
  await recordUsage(db, key, { requests: 1, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens });
  await countUsage(db, subject, clock.now(), { requests: 1, tokens: answer.totalTokens });
  try {
    await reply(answer.text);
  } catch (err) {
    // A send whose outcome is unknown is not repeated (it may have arrived); count it where
    // staff see AI usage, then let the coordinator log it.
    await recordUsage(db, key, { failures: 1 }).catch(() => undefined);
    throw err;
  }
  log.info("AI replied", { bot_id: bot.id, chat_id: last.chatId, provider: answer.provider, merged: jobs.length });
  return "replied";
}

/** Sends "typing…" now and every few seconds until stopped; failures only cost the indicator. */
async function startTyping(deps: AiReplyDeps, job: AiJob): Promise<() => void> {
  const tg = await telegramFor(deps.env, deps.bot, { maxRetries: 0, timeoutMs: 5000 });
  const params = { chat_id: job.chatId, action: "typing" as const, ...(job.threadId ? { message_thread_id: job.threadId } : {}) };
  const send = () => tg.call("sendChatAction", params).catch(() => undefined);
  await send();
  const timer = setInterval(send, TYPING_EVERY_MS);
  return () => clearInterval(timer);
}
