// Telegram's flood limits, enforced by a fake Bot API: it answers 429 (with retry_after)
// to a message that would break about 1/s per chat (short bursts of 3 allowed, as Telegram
// does: at most 3 in any 3 s), 20/min per group or 30/s per bot, on
// whatever clock the test gives it. Accepted sends are kept with their times, so a test can
// count what got through per minute and prove the governor never hit a limit.
export interface LimitedSend {
  chat: string;
  t: number;
  text?: string;
}

export class FloodLimits {
  readonly accepted: LimitedSend[] = [];
  refused = 0;
  /** Which limit each refusal was for (a send over several counts under each). */
  readonly refusedBy = { chat: 0, group: 0, bot: 0 };
  readonly #byChat = new Map<string, number[]>();
  #bot: number[] = [];

  constructor(
    readonly now: () => number,
    readonly limits = { perChatGapMs: 1000, chatBurst: 3, groupWindowMs: 60_000, groupMax: 20, botWindowMs: 1000, botMax: 30 },
  ) {}

  /** Undefined when the send is within the limits (and records it), else a 429 answer. */
  check(chatId: unknown, text?: unknown) {
    const t = this.now();
    const chat = String(chatId);
    const group = chat.startsWith("-") || chat.startsWith("@");
    const times = this.#byChat.get(chat) ?? [];
    const l = this.limits;
    const burstWindow = l.chatBurst * l.perChatGapMs;
    const inBurst = times.filter((x) => x > t - burstWindow);
    const inGroupWindow = times.filter((x) => x > t - l.groupWindowMs);
    this.#bot = this.#bot.filter((x) => x > t - l.botWindowMs);
    let wait = 0;
    const over = { chat: false, group: false, bot: false };
    if (inBurst.length >= l.chatBurst) {
      over.chat = true;
      wait = Math.max(wait, (inBurst[inBurst.length - l.chatBurst] ?? t) + burstWindow - t);
    }
    if (group && inGroupWindow.length >= l.groupMax) {
      over.group = true;
      wait = Math.max(wait, (inGroupWindow[inGroupWindow.length - l.groupMax] ?? t) + l.groupWindowMs - t);
    }
    if (this.#bot.length >= l.botMax) {
      over.bot = true;
      wait = Math.max(wait, (this.#bot[this.#bot.length - l.botMax] ?? t) + l.botWindowMs - t);
    }
    if (wait > 0) {
      this.refused += 1;
      for (const k of ["chat", "group", "bot"] as const) if (over[k]) this.refusedBy[k] += 1;
      const retry_after = Math.max(1, Math.ceil(wait / 1000));
      return { error_code: 429, description: `Too Many Requests: retry after ${retry_after}`, parameters: { retry_after } };
    }
    times.push(t);
    this.#byChat.set(chat, times);
    this.#bot.push(t);
    this.accepted.push({ chat, t, ...(typeof text === "string" && { text }) });
    return undefined;
  }

  timesOf(chat: number | string): number[] {
    return this.accepted.filter((s) => s.chat === String(chat)).map((s) => s.t);
  }
}

/** The most sends inside any window of `ms` (a sliding window). */
export function maxInWindow(times: number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
