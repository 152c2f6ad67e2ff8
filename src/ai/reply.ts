// Answers one chat's queued message(s): quota, memory, typing indicator, the provider
// chain, the reply (split over 4096 characters by sendAndStore), and usage accounting.
import type { BotRow } from "../db/bots";
import { telegramFor } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import type { Clock } from "../tasks/clock";
import { sendAndStore } from "../telegram/outgoing";
import { completeWithFallback, providersFor } from "./chain";
import type { AiJob } from "./job";
import { boundMemory, type MemoryStore } from "./memory";
import { DEFAULT_SYSTEM_PROMPT, POLITE_FAILURE, quotaSpentText } from "./texts";
import { recordUsage, requestsToday, usageDay } from "./usage";

export interface AiReplyDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  clock: Clock;
  memory: MemoryStore;
}

const TYPING_EVERY_MS = 4500;

/** `jobs`: consecutive messages of one user in one chat, answered together. */
export async function answerJobs(deps: AiReplyDeps, jobs: AiJob[]): Promise<"replied" | "quota" | "failed"> {
  const { env, db, log, bot, clock, memory } = deps;
  const last = jobs[jobs.length - 1];
  if (!last) return "replied";
  const key = { botId: bot.id, userId: last.userId, day: usageDay(clock.now()) };
  const reply = (text: string) =>
    sendAndStore(
      { env, db, log, bot },
      {
        type: "text",
        chat_id: last.chatId,
        text,
        reply_parameters: { message_id: last.messageId, allow_sending_without_reply: true },
        ...(last.threadId !== undefined ? { message_thread_id: last.threadId } : {}),
      },
    );

  // ai_daily_quota 0 means no limit.
  if (bot.aiDailyQuota > 0 && (await requestsToday(db, bot.id, last.userId, key.day)) >= bot.aiDailyQuota) {
    await reply(quotaSpentText(bot.aiDailyQuota));
    return "quota";
  }

  const history = await memory.load(last.chatId);
  const group = last.chatType !== "private";
  const content = jobs.map((j) => (group ? `${j.userName}: ${j.text}` : j.text)).join("\n");
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
