// Sending on behalf of a bot, and storing what was sent (direction "out") so a chat's
// history is complete. (Interface fixed here; used by commands, the send endpoints,
// the dashboard, broadcasts and the AI chatbot.)
import type { Message } from "@grammyjs/types";
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import type { ApiParams, InputFile } from "./client";

export interface OutgoingDeps {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
}

export type OutgoingMessage =
  | ({ type: "text" } & ApiParams<"sendMessage">)
  | ({ type: "photo" } & Omit<ApiParams<"sendPhoto">, "photo"> & { photo: string | InputFile })
  | ({ type: "document" } & Omit<ApiParams<"sendDocument">, "document"> & { document: string | InputFile });

/**
 * Sends (text: split over 4096 characters, Markdown falling back to plain text),
 * follows a group's migration to a supergroup once, stores every sent message as
 * outgoing, and answers the sent messages. Telegram's refusals surface as TelegramError.
 */
export async function sendAndStore(_deps: OutgoingDeps, _msg: OutgoingMessage): Promise<Message[]> {
  throw new Error("sendAndStore: not implemented yet");
}
