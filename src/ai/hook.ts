// The seam between webhook ingest and the AI chatbot. Ingest calls offerToAi for an
// incoming message that no command or dialog consumed; the AI side decides whether to
// answer (bot AI enabled, private chat, or mention/reply in a group) and queues the
// work on the bot's coordinator so the webhook can answer Telegram at once.
import type { Message } from "@grammyjs/types";
import { coordinatorFor } from "../coordinator/bot-coordinator";
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import { aiJobFor } from "./job";

export interface AiOffer {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  message: Message;
  updateId: number;
}

/** Answers true when the AI will reply to this message (the reply itself happens later). */
export async function offerToAi(offer: AiOffer): Promise<boolean> {
  const job = aiJobFor(offer.bot, offer.message, offer.updateId);
  if (!job) return false;
  // The coordinator dedupes by update_id, so a redelivered update is not answered twice.
  const res = await coordinatorFor(offer.env, offer.bot.id).enqueueAi(job);
  offer.log.debug("AI reply queued", { bot_id: offer.bot.id, chat_id: job.chatId, update_id: job.updateId, duplicate: res.duplicate });
  return true;
}
