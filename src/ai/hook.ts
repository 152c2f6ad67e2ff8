// The seam between update handling and the AI chatbot. Handling calls offerToAi for an
// incoming message that no command or dialog consumed; the AI side decides whether to
// answer (bot AI enabled, private chat, or mention/reply in a group) and queues the work
// through the port the coordinator passes down, so handling never waits for the model.
import type { Message } from "@grammyjs/types";
import type { BotRow } from "../db/bots";
import type { Logger } from "../lib/log";
import { type AiJob, aiJobFor } from "./job";

export interface AiOffer {
  log: Logger;
  bot: BotRow;
  message: Message;
  updateId: number;
}

/** The coordinator's queue, as the AI seam needs it. */
export interface AiQueuePort {
  enqueueAi(job: AiJob): Promise<{ queued: boolean; duplicate: boolean }>;
}

/** Answers true when the AI will reply to this message (the reply itself happens later). */
export async function offerToAi(offer: AiOffer, queue: AiQueuePort): Promise<boolean> {
  const job = aiJobFor(offer.bot, offer.message, offer.updateId);
  if (!job) return false;
  // The queue dedupes by update_id, so a retried update is not answered twice.
  const res = await queue.enqueueAi(job);
  offer.log.debug("AI reply queued", { bot_id: offer.bot.id, chat_id: job.chatId, update_id: job.updateId, duplicate: res.duplicate });
  return true;
}
