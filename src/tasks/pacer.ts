// Telegram's flood limits for one bot, as a small ledger of recent sends:
// about 1 message/s per chat, 20 messages/min per group, 30 messages/s overall,
// and a bot-wide pause after a 429's retry_after. Pure: the caller passes the time.
export const LIMITS = {
  perChatGapMs: 1000,
  groupWindowMs: 60_000,
  groupMaxInWindow: 20,
  botWindowMs: 1000,
  botMaxInWindow: 30,
};

export interface PacerState {
  /** Recent send times per chat (ms), trimmed to the group window. */
  chats: Record<string, number[]>;
  /** Recent send times of the whole bot (ms), trimmed to the bot window. */
  bot: number[];
  pausedUntil: number;
}

export const emptyPacer = (): PacerState => ({ chats: {}, bot: [], pausedUntil: 0 });

/** Private chats have positive ids; groups, supergroups and channels negative ones. */
export const isGroupChat = (chatId: number) => chatId < 0;

/** 0 when a message to this chat may go now, else the earliest time (ms) it may. */
export function earliestSend(p: PacerState, chatId: number, now: number): number {
  let at = Math.max(now, p.pausedUntil);
  const bot = p.bot.filter((t) => t > now - LIMITS.botWindowMs);
  if (bot.length >= LIMITS.botMaxInWindow) at = Math.max(at, (bot[bot.length - LIMITS.botMaxInWindow] ?? now) + LIMITS.botWindowMs);
  const sent = p.chats[chatId] ?? [];
  const last = sent[sent.length - 1];
  if (last !== undefined) at = Math.max(at, last + LIMITS.perChatGapMs);
  if (isGroupChat(chatId)) {
    const inWindow = sent.filter((t) => t > now - LIMITS.groupWindowMs);
    if (inWindow.length >= LIMITS.groupMaxInWindow) {
      at = Math.max(at, (inWindow[inWindow.length - LIMITS.groupMaxInWindow] ?? now) + LIMITS.groupWindowMs);
    }
  }
  return at <= now ? 0 : at;
}

export function recordSend(p: PacerState, chatId: number, now: number): void {
  p.bot = [...p.bot.filter((t) => t > now - LIMITS.botWindowMs), now];
  p.chats[chatId] = [...(p.chats[chatId] ?? []).filter((t) => t > now - LIMITS.groupWindowMs), now];
}

/** A 429 pauses every send of the bot: Telegram's retry_after is not scoped to one chat. */
export function pause(p: PacerState, now: number, retryAfterSeconds: number): void {
  p.pausedUntil = Math.max(p.pausedUntil, now + Math.max(1, retryAfterSeconds) * 1000);
}

/** Drops chats with no send in the last window, so the stored ledger stays small. */
export function prune(p: PacerState, now: number): void {
  for (const [chat, times] of Object.entries(p.chats)) {
    const keep = times.filter((t) => t > now - LIMITS.groupWindowMs);
    if (keep.length === 0) delete p.chats[chat];
    else p.chats[chat] = keep;
  }
  p.bot = p.bot.filter((t) => t > now - LIMITS.botWindowMs);
}
