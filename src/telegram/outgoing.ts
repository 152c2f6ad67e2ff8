// Sending on behalf of a bot, and storing what was sent (direction "out") so a chat's
// history is complete. (Interface fixed here; used by commands, the send endpoints,
// the dashboard, broadcasts and the AI chatbot.)
import type { Message } from "@grammyjs/types";
import type { BotRow } from "../db/bots";
import { runBatch } from "../db/d1";
import type { Db, Env } from "../env";
import type { ApiParams, InputFile } from "../lib/bot-api";
import type { Logger } from "../lib/log";
import { telegramFor } from "./bot-client";
import type { TelegramClient } from "./client";
import { TelegramError } from "./errors";
import { outgoingGroupStmts } from "./ingest/message-rows-sql";
import { migrateChat } from "./ingest/migrate";

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

type Stmt = D1PreparedStatement;

export interface SendOptions {
  /** A client to reuse (ingest builds one per update). */
  client?: TelegramClient;
  /** Extra statements committed in the same batch as the stored messages (e.g. the ledger's record of this reply). */
  extra?: (sent: Message[]) => Stmt[];
}

// One client per bot token decryption per request is enough; callers may pass their own.
async function clientOf(deps: OutgoingDeps, opts: SendOptions): Promise<TelegramClient> {
  return opts.client ?? telegramFor(deps.env, deps.bot, { log: deps.log });
}

async function sendOnce(client: TelegramClient, msg: OutgoingMessage): Promise<Message[]> {
  switch (msg.type) {
    case "text": {
      const { type: _t, ...params } = msg;
      return client.sendText(params);
    }
    case "photo": {
      const { type: _t, ...params } = msg;
      return [await client.call("sendPhoto", params as ApiParams<"sendPhoto">)];
    }
    case "document": {
      const { type: _t, ...params } = msg;
      return [await client.call("sendDocument", params as ApiParams<"sendDocument">)];
    }
  }
}

/** Sends (following a group's migration to a supergroup once) without storing; see outgoingStmts. */
export async function sendOnly(deps: OutgoingDeps, msg: OutgoingMessage, client?: TelegramClient): Promise<Message[]> {
  const tg = client ?? (await clientOf(deps, {}));
  try {
    return await sendOnce(tg, msg);
  } catch (err) {
    const to = err instanceof TelegramError ? err.migrateToChatId : undefined;
    if (to === undefined || typeof msg.chat_id !== "number") throw err;
    // The group became a supergroup: move what we stored and follow it, once.
    deps.log.info("chat migrated, following", { bot_id: deps.bot.id, from: msg.chat_id, to });
    await migrateChat(deps.db, deps.bot.id, msg.chat_id, to);
    return sendOnce(tg, { ...msg, chat_id: to });
  }
}

/** Sends and stores; `opts.extra` adds statements to the storing batch. */
export async function sendAndStoreWith(deps: OutgoingDeps, msg: OutgoingMessage, opts: SendOptions = {}): Promise<Message[]> {
  const sent = await sendOnly(deps, msg, await clientOf(deps, opts));
  await runBatch(deps.db, [...outgoingStmts(deps.db, deps.bot.id, sent), ...(opts.extra?.(sent) ?? [])]);
  return sent;
}

/** Statements that store sent messages as direction "out" (creating their chat if new): two for any number. */
export function outgoingStmts(db: Db, botId: number, sent: Message[]): Stmt[] {
  return outgoingGroupStmts(db, botId, sent);
}

/** Writes sent messages as direction "out" (with their chat), plus any extra statements, in one batch. */
export async function storeOutgoing(db: Db, botId: number, sent: Message[], extra: Stmt[] = []): Promise<void> {
  await runBatch(db, [...outgoingStmts(db, botId, sent), ...extra]);
}

/**
 * Sends (text: split over 4096 characters, Markdown falling back to plain text),
 * follows a group's migration to a supergroup once, stores every sent message as
 * outgoing, and answers the sent messages. Telegram's refusals surface as TelegramError.
 */
export async function sendAndStore(deps: OutgoingDeps, msg: OutgoingMessage): Promise<Message[]> {
  return sendAndStoreWith(deps, msg);
}
