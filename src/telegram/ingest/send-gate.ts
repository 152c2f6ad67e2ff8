// The port through which every Bot API call of a bot asks its coordinator's send governor
// (src/coordinator/governor.ts) for a slot. Here, in telegram/, so handling can take it
// without importing the coordinator.

/** A chat as Telegram names it: an id, or "@username" for a public channel. */
export type ChatRef = number | string;

/** "message": a new message (counts per chat, per group and per bot); "bot": everything else (the bot bucket only). */
export type SendKind = "message" | "bot";

/** Methods that post a new message into a chat. Edits, drafts, chat actions and callback answers do not. */
export function isMessageMethod(method: string): boolean {
  return /^(send(?!ChatAction$|MessageDraft$)|copyMessages?$|forwardMessages?$)/.test(method);
}

/** A send queued in the coordinator's durable outbox, under the journal key of the update it answers. */
export interface DeferredSend {
  updateId: number;
  key: string;
  chatId: ChatRef;
  method: string;
  /** JSON-able parameters (chat_id included). */
  params: Record<string, unknown>;
}

export interface SendGate {
  /** Adopts the bot's settings (allow_paid_broadcast raises the bot bucket). */
  configure(bot: { allowPaidBroadcast?: boolean | null }): void;
  /** Takes a slot if one is free right now and nothing waits ahead in this chat; false otherwise (nothing taken). */
  tryNow(chatId: ChatRef | null, kind: SendKind): boolean;
  /** Waits until the buckets allow (first come, first served within a chat), then takes the slot; answers its time. */
  acquire(chatId: ChatRef | null, kind: SendKind): Promise<number>;
  /** The call that took `slot` leaves only now (its journal intent flushed first): its record moves to now. */
  departed(chatId: ChatRef | null, kind: SendKind, slot: number): void;
  /** Telegram answered 429 with retry_after: pauses the right bucket. */
  flood(chatId: ChatRef | null, kind: SendKind, retryAfterSeconds: number): void;
  /**
   * Present where waiting must not hold the caller (the inbox drain): queues the send in the
   * durable outbox, journaled "queued" under its key, for the coordinator to send when its
   * buckets allow. Absent: the caller waits in acquire().
   */
  defer?(send: DeferredSend): Promise<void>;
}
