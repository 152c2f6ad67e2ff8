import type { ResponseParameters } from "@grammyjs/types";

/** Telegram answered, and said no. */
export class TelegramError extends Error {
  override readonly name = "TelegramError";
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    readonly parameters: ResponseParameters = {},
  ) {
    super(`${method}: ${errorCode} ${description}`);
  }
  get retryAfter(): number | undefined {
    return this.parameters.retry_after;
  }
  /** Set when a group was upgraded to a supergroup: the chat lives on under this id. */
  get migrateToChatId(): number | undefined {
    return this.parameters.migrate_to_chat_id;
  }
  get isParseEntitiesError(): boolean {
    return this.errorCode === 400 && /can't parse entities/i.test(this.description);
  }
  /** The bot was blocked, kicked, or the chat is gone: retrying will not help. */
  get isChatUnreachable(): boolean {
    return (
      this.errorCode === 403 || (this.errorCode === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(this.description))
    );
  }
}

/** Telegram could not be reached, or did not answer with the Bot API's envelope. */
export class TelegramNetworkError extends Error {
  override readonly name = "TelegramNetworkError";
  constructor(
    readonly method: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${message}`, options);
  }
}

export function isTelegramError(e: unknown): e is TelegramError {
  return e instanceof TelegramError;
}
