// The seam between webhook ingest and the AI chatbot. Ingest calls offerToAi for an
// incoming message that no command or dialog consumed; the AI side decides whether to
// answer (bot AI enabled, private chat, or mention/reply in a group) and queues the
// work on the bot's coordinator so the webhook can answer Telegram at once.
import type { Message } from "@grammyjs/types";
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";

export interface AiOffer {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  message: Message;
  updateId: number;
}

/** Answers true when the AI will reply to this message (the reply itself happens later). */
export async function offerToAi(_offer: AiOffer): Promise<boolean> {
  return false;
}
