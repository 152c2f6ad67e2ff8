// The context every command, callback and dialog handler receives. Handlers never call
// the Bot API directly for visible effects: they use `reply` and `call`, which run each
// effect at most once per update (a redelivered update skips effects already recorded in
// the ledger) and store sent messages as outgoing.
import type { CallbackQuery, Chat, Message, User } from "@grammyjs/types";
import type { BotRow } from "../../db/bots";
import type { CommandAudience } from "../../db/schema";
import type { Db, Env } from "../../env";
import type { ApiMethod, ApiParams, ApiResult } from "../../lib/bot-api";
import type { Logger } from "../../lib/log";
import type { DialogSession } from "../dialog-sessions";
import type { Lang, MessageKey } from "../i18n";

export interface HandlerContext {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  /** The update being handled; use it as an idempotency key for rows you insert (e.g. feedback.update_id). */
  updateId: number;
  chat: Chat;
  /** The user who sent the message or pressed the button (absent for anonymous channel posts). */
  from?: User;
  /** The reply language: the user's saved preference, else their language_code, else English. */
  lang: Lang;
  /** The user's saved preferences (tg_users.preferences), e.g. { language: "ru", notifications: false }. */
  preferences: Record<string, unknown>;
  /** A built-in text in the reply language, with {placeholders} filled from vars. */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /**
   * Sends text to this chat (same forum thread), at most once per update and call order.
   * Answers the sent messages, or undefined when an earlier attempt already sent it.
   */
  reply(text: string, extra?: Omit<Partial<ApiParams<"sendMessage">>, "chat_id" | "text">): Promise<Message[] | undefined>;
  /** Any other Bot API call with a visible effect (editMessageText, answerCallbackQuery...), at most once per update. */
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M> | undefined>;
  /** This (bot, chat, user)'s dialog session: KV fast copy, D1 durable copy, with expiry. */
  session: {
    get(): Promise<DialogSession | null>;
    set(data: DialogSession, ttlSeconds?: number): Promise<void>;
    clear(): Promise<void>;
  };
  /** Forgets this chat's AI conversation memory (kept by the bot's coordinator). */
  clearAiMemory(): Promise<void>;
  /** /cancel: stops this chat's AI answer in flight (in a group, only the asker's). */
  cancelAi(): Promise<"stopped" | "none" | "not_yours">;
  /** /retry: asks the sender's last question in this chat again (false: none to ask). */
  retryAi(): Promise<boolean>;
}

export interface CommandContext extends HandlerContext {
  message: Message;
  /** The command's name, lower-case, without "/" or "@botname" (e.g. "start"). */
  command: string;
  /** The text after the command, trimmed ("" when none). */
  args: string;
}

export interface CommandDefinition {
  /** Lower-case name without the slash: [a-z0-9_]{1,32}. */
  name: string;
  /** The i18n key of its description in /help and the menus; or a fixed text (with its Russian one). */
  description: MessageKey | { text: string; ru?: string };
  /** Left out of /help and the menus when true. */
  hidden?: boolean;
  /** An AI command: listed in the menus only while the bot has its AI switched on. */
  ai?: boolean;
  /** Which command menus list it (see menus.ts); private chats and groups when left out. */
  menu?: CommandAudience[];
  handle(ctx: CommandContext): Promise<void>;
}

/** A named handler that custom commands (bot_commands.handler_name) can point at. */
export interface NamedHandler {
  name: string;
  handle(ctx: CommandContext): Promise<void>;
}

export interface CallbackContext extends HandlerContext {
  query: CallbackQuery;
  /** callback_data (at most 64 bytes). */
  data: string;
  /** The message carrying the keyboard, when Telegram still gives it. */
  message?: Message;
}

/** Handles callback queries whose data starts with `${prefix}:`. */
export interface CallbackHandler {
  prefix: string;
  handle(ctx: CallbackContext): Promise<void>;
}

export interface DialogContext extends HandlerContext {
  message: Message;
  text: string;
  state: DialogSession;
}

/** Takes the next message of a user whose session has `dialog: name`. */
export interface DialogHandler {
  name: string;
  handle(ctx: DialogContext): Promise<void>;
}
