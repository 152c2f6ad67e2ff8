// Types for tools/fake-telegram/server.mjs (plain JS so Node runs it without a build step).

export interface FakeBot {
  token: string;
  id: number;
  username: string;
  first_name: string;
}

export interface FakeUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  blocked?: boolean;
}

export interface FakeChat {
  id: number;
  type: "group" | "supergroup" | "channel";
  title: string;
  username?: string;
  members: Record<number, string>;
  extra_members: number;
  bot_status: "administrator" | "member" | "kicked" | "left";
}

export interface RecordedCall {
  seq: number;
  at: number;
  token: string;
  bot_id?: number;
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: Bot API parameters of any method
  params: Record<string, any>;
  files?: Record<string, { filename: string; type: string; size: number }>;
  via: "http" | "webhook_reply";
  ok?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the method's result
  result?: any;
  error_code?: number;
  description?: string;
}

export interface Delivery {
  // biome-ignore lint/suspicious/noExplicitAny: a Telegram Update
  update: { update_id: number } & Record<string, any>;
  /** The first webhook attempt succeeded (2xx). */
  delivered: boolean;
  status?: number;
  error?: string;
  /** No webhook: waiting for getUpdates. */
  queued?: boolean;
  skipped?: string;
}

/** bot: numeric id, username or token; optional when exactly one bot has a webhook. */
export interface ActOptions {
  bot?: number | string;
  chatId?: number | string;
  userId?: number | string;
}

export declare const AUTO_TOKEN: RegExp;
export declare const SEEDED_BOTS: FakeBot[];
export declare const SEEDED_USERS: FakeUser[];
export declare const SEEDED_CHATS: FakeChat[];

export interface StartOptions {
  port?: number;
  host?: string;
  bots?: FakeBot[];
  users?: FakeUser[];
  chats?: FakeChat[];
  /** First update_id / message_id (default grows with the clock). */
  firstId?: number;
  /** Webhook redelivery backoff: first delay and cap (ms). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface FakeTelegramHandle {
  url: string;
  port: number;
  state: {
    bots: Map<string, FakeBot>;
    users: Map<number, FakeUser>;
    chats: Map<number, FakeChat>;
  };
  fake: unknown;
  calls: RecordedCall[];
  callsOf(method: string): RecordedCall[];
  sendUserMessage(opts: ActOptions & { text: string; replyTo?: number }): Promise<Delivery>;
  pressButton(opts: ActOptions & { data: string; messageId?: number }): Promise<Delivery>;
  // biome-ignore lint/suspicious/noExplicitAny: a Telegram Update without or with update_id
  deliver(bot: number | string, update: Record<string, any>): Promise<Delivery>;
  // biome-ignore lint/suspicious/noExplicitAny: a Telegram Update
  redeliver(bot: number | string, update: { update_id: number } & Record<string, any>): Promise<Delivery>;
  /** Resolves when no bot has undelivered updates. */
  idle(timeoutMs?: number): Promise<void>;
  addBot(bot: { token: string; id?: number; username?: string; first_name?: string }): FakeBot;
  failNext(method: string, error: { error_code: number; description: string; parameters?: Record<string, unknown> }, times?: number): void;
  close(): Promise<void>;
}

export declare function startFakeTelegram(opts?: StartOptions): Promise<FakeTelegramHandle>;
