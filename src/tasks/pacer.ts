// Telegram's flood limits for one bot, as a small ledger of recent sends:
// about 1 message/s per chat, 20 messages/min per group, 30 messages/s overall (raised
// when the bot may pay for broadcasts), and pauses after a 429's retry_after (a chat's
// own, or the whole bot's: see flood()). Pure: the caller passes the time. The bot's
// coordinator keeps ONE ledger and every sender of the bot (replies, AI answers, staff
// sends, broadcasts) goes through it: see src/coordinator/governor.ts.
export const LIMITS = {
  perChatGapMs: 1000,
  groupWindowMs: 60_000,
  groupMaxInWindow: 20,
  botWindowMs: 1000,
  botMaxInWindow: 30,
};

/** With smoothBot: sends allowed back to back before the bot's even spacing applies. */
const SMOOTH_BURST = 3;

export type Limits = typeof LIMITS & {
  /**
   * Messages a chat may get in a short burst: at most this many in any chatBurst x
   * perChatGapMs (1 = strictly one per gap). Telegram's bot FAQ: "avoid sending more than one
   * message per second" in a chat, "we may allow short bursts that go over this limit".
   */
  chatBurst?: number;
  /** Spread the bot's sends evenly (about one every botWindowMs / max) instead of in bursts of max. */
  smoothBot?: boolean;
};

/**
 * Slack on the windows: a request leaves when its slot comes but reaches Telegram a little
 * later, by a delay that varies, so two sends spaced exactly by a limit may land closer.
 * The per-chat and group limits are rarely what holds a whole bot back, so they get more.
 */
export const MARGIN_MS = { chat: 150, group: 500, bot: 30 };

/**
 * The limits every sender of a bot keeps to: LIMITS plus the margins, and the bot's 30/s
 * spread evenly (about one send every ~34 ms, at most 3 back to back): a burst of 30 would
 * queue behind the runtime's six connections and reach Telegram bunched with the next
 * second's burst.
 */
export const GOVERNED_LIMITS: Limits = {
  ...LIMITS,
  perChatGapMs: LIMITS.perChatGapMs + MARGIN_MS.chat,
  groupWindowMs: LIMITS.groupWindowMs + MARGIN_MS.group,
  botWindowMs: LIMITS.botWindowMs + MARGIN_MS.bot,
  smoothBot: true,
  chatBurst: 3,
};

/** Broadcasts keep to one message a second in every chat (no bursts: they are bulk). */
export const BROADCAST_LIMITS: Limits = { ...GOVERNED_LIMITS, chatBurst: 1 };

/** The bot bucket when an admin allows paid broadcasts (Telegram: up to 1000 messages/s, paid in Stars). */
export const PAID_BOT_MAX_IN_WINDOW = 1000;

export type ChatKey = number | string;

export interface PacerState {
  /** Recent send times per chat (ms), trimmed to the group window. */
  chats: Record<string, number[]>;
  /** Recent send times of the whole bot (ms), trimmed to the bot window. */
  bot: number[];
  pausedUntil: number;
  /** A chat Telegram flood-limited on its own waits until then (ms). */
  chatPausedUntil?: Record<string, number>;
  /** Sends per bot window (LIMITS.botMaxInWindow unless paid broadcasts are allowed). */
  botMax?: number;
}

export const emptyPacer = (): PacerState => ({ chats: {}, bot: [], pausedUntil: 0, chatPausedUntil: {} });

/**
 * Private chats have positive ids; groups, supergroups and channels negative ones. An
 * "@username" target is a public channel or supergroup, so it counts as a group.
 */
export const isGroupChat = (chatId: ChatKey) => (typeof chatId === "number" ? chatId < 0 : true);

/** The earliest time (ms) the bot bucket allows one more send (pauses included); ≤ now means now. */
export function earliestBot(p: PacerState, now: number, limits: Limits = LIMITS): number {
  let at = Math.max(now, p.pausedUntil);
  const max = p.botMax ?? limits.botMaxInWindow;
  const bot = p.bot.filter((t) => t > now - limits.botWindowMs);
  if (bot.length >= max) at = Math.max(at, (bot[bot.length - max] ?? now) + limits.botWindowMs);
  // Spread: at most SMOOTH_BURST sends in any SMOOTH_BURST x (window / max), so a sender that
  // woke a little late may catch up a few slots, but 30 never leave at once.
  const spacing = limits.botWindowMs / max;
  const inSpread = limits.smoothBot ? bot.filter((t) => t > at - SMOOTH_BURST * spacing) : [];
  if (inSpread.length >= SMOOTH_BURST) at = Math.max(at, (inSpread[inSpread.length - SMOOTH_BURST] ?? now) + SMOOTH_BURST * spacing);
  // Whole milliseconds: alarms keep no fractions, and a wake-up a fraction early finds nothing due.
  return Math.ceil(at);
}

/** The earliest time (ms) this chat's own buckets allow a message (its pause included). */
export function earliestChat(p: PacerState, chatId: ChatKey, now: number, limits: Limits = LIMITS, sent = p.chats[chatId] ?? []): number {
  let at = Math.max(now, p.chatPausedUntil?.[chatId] ?? 0);
  const burst = limits.chatBurst ?? 1;
  const burstWindow = burst * limits.perChatGapMs;
  const inBurst = sent.filter((t) => t > at - burstWindow);
  if (inBurst.length >= burst) at = Math.max(at, (inBurst[inBurst.length - burst] ?? now) + burstWindow);
  if (isGroupChat(chatId)) {
    const inWindow = sent.filter((t) => t > at - limits.groupWindowMs);
    if (inWindow.length >= limits.groupMaxInWindow) {
      at = Math.max(at, (inWindow[inWindow.length - limits.groupMaxInWindow] ?? now) + limits.groupWindowMs);
    }
  }
  return at;
}

/** 0 when a message to this chat may go now, else the earliest time (ms) it may. */
export function earliestSend(p: PacerState, chatId: ChatKey, now: number, limits: Limits = LIMITS): number {
  const at = Math.max(earliestBot(p, now, limits), earliestChat(p, chatId, now, limits));
  return at <= now ? 0 : at;
}

/** A message left: it counts against its chat (and group) and the bot. */
export function recordSend(p: PacerState, chatId: ChatKey, now: number, limits: Limits = LIMITS): void {
  recordBotOnly(p, now, limits);
  p.chats[chatId] = [...(p.chats[chatId] ?? []).filter((t) => t > now - limits.groupWindowMs), now];
}

/** A call that is not a new message (an edit, a chat action, a callback answer): the bot bucket only. */
export function recordBotOnly(p: PacerState, now: number, limits: Limits = LIMITS): void {
  p.bot = [...p.bot.filter((t) => t > now - limits.botWindowMs), now];
}

/**
 * A send took its slot at `slot` but left at `left` (its journal intent was flushed first):
 * its record moves to when it left, so the next sends are spaced from the real departure.
 */
export function restamp(p: PacerState, chatId: ChatKey | null, slot: number, left: number): void {
  if (left <= slot) return;
  const move = (times: number[] | undefined) => {
    if (!times) return;
    const i = times.lastIndexOf(slot);
    if (i < 0) return;
    times.splice(i, 1);
    times.push(left);
    times.sort((a, b) => a - b);
  };
  move(p.bot);
  if (chatId !== null) move(p.chats[chatId]);
}

/** Pauses every send of the bot until retry_after has passed. */
export function pause(p: PacerState, now: number, retryAfterSeconds: number): void {
  p.pausedUntil = Math.max(p.pausedUntil, now + Math.max(1, retryAfterSeconds) * 1000);
}

/**
 * A 429 with retry_after: which bucket it pauses. Telegram does not say which limit was hit,
 * so the ledger decides. A chat's own limit can only be the cause when the chat had another
 * message in the last minute besides the one refused: then that chat pauses (its per-chat
 * and group buckets), and the rest of the bot goes on. Otherwise (a first message to the
 * chat in a minute, or a call that is not a new message: edits, callback answers, chat
 * actions), or when another chat is already paused (two chats flooded at once means the bot
 * as a whole is over), the bot pauses. Answers which one it paused.
 */
export function flood(
  p: PacerState,
  chatId: ChatKey | null,
  now: number,
  retryAfterSeconds: number,
  limits: Limits = LIMITS,
): "chat" | "bot" {
  const until = now + Math.max(1, retryAfterSeconds) * 1000;
  const recent = chatId === null ? 0 : (p.chats[chatId] ?? []).filter((t) => t > now - limits.groupWindowMs).length;
  p.chatPausedUntil ??= {};
  const othersPaused = Object.entries(p.chatPausedUntil).some(([c, t]) => c !== String(chatId) && t > now);
  if (chatId === null || recent < 2 || othersPaused) {
    pause(p, now, retryAfterSeconds);
    return "bot";
  }
  p.chatPausedUntil[chatId] = Math.max(p.chatPausedUntil[chatId] ?? 0, until);
  return "chat";
}

/** How far the clock may seem to go back before the ledger is forgotten (see forgetIfClockWentBack). */
const REWIND_TOLERANCE_MS = 5_000;

/**
 * Forgets the ledger if the clock went back past its newest send (a test swapping its
 * clock; a system clock stepped back): sends "in the future" would hold every chat until
 * then. At worst one burst then meets a 429, which pauses its bucket. Answers whether it did.
 */
export function forgetIfClockWentBack(p: PacerState, now: number): boolean {
  const newest = p.bot[p.bot.length - 1];
  if (newest === undefined || newest <= now + REWIND_TOLERANCE_MS) return false;
  p.bot = [];
  p.chats = {};
  p.chatPausedUntil = {};
  p.pausedUntil = 0;
  return true;
}

/** Drops chats with no send in the last window, so the stored ledger stays small. */
export function prune(p: PacerState, now: number, limits: Limits = LIMITS): void {
  for (const [chat, times] of Object.entries(p.chats)) {
    const keep = times.filter((t) => t > now - limits.groupWindowMs);
    if (keep.length === 0) delete p.chats[chat];
    else p.chats[chat] = keep;
  }
  for (const [chat, t] of Object.entries(p.chatPausedUntil ?? {})) if (t <= now) delete p.chatPausedUntil?.[chat];
  p.bot = p.bot.filter((t) => t > now - limits.botWindowMs);
}
