// A fetch wrapper for the Bot API client that counts subrequests against a per-invocation
// budget, paces call starts under Telegram's flood limits, and keeps at most 6 connections
// open at once (Workers' limit): calls, not chats, queue for a free connection (FIFO), so a
// connection freed by any chat goes straight to the next waiting call. It records the peak.
export interface CallMeterOptions {
  /** Subrequests this invocation may spend on the Bot API. */
  budget: number;
  /** Call starts per second at most (Telegram answers bursts with 429); 0 or Infinity: no pacing. */
  maxCallsPerSecond?: number;
  /** Connections open at once at most (default and ceiling: MAX_CONCURRENCY). */
  maxInFlight?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export class CallMeter {
  calls = 0;
  inFlight = 0;
  peakInFlight = 0;
  readonly budget: number;
  readonly maxInFlight: number;
  readonly #interval: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  #nextStart = 0;
  /** Connection slots taken (including calls still pacing) and the calls waiting for one. */
  #slots = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(opts: CallMeterOptions) {
    this.budget = opts.budget;
    this.maxInFlight = Math.max(1, Math.min(opts.maxInFlight ?? MAX_CONCURRENCY, MAX_CONCURRENCY));
    const rate = opts.maxCallsPerSecond ?? DEFAULT_CALLS_PER_SECOND;
    this.#interval = rate > 0 && Number.isFinite(rate) ? 1000 / rate : 0;
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get remaining(): number {
    return Math.max(0, this.budget - this.calls);
  }

  /** Pass as the client's `fetch`. */
  readonly fetch: typeof fetch = async (input, init) => {
    await this.#acquire();
    try {
      if (this.#interval > 0) {
        const now = Date.now();
        const at = Math.max(now, this.#nextStart);
        this.#nextStart = at + this.#interval;
        if (at > now) await this.#sleep(at - now);
      }
      this.calls++;
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      try {
        const res = await this.#fetch(input, init);
        // Read the body here so the connection counts as closed when we return.
        const body = await res.arrayBuffer();
        return new Response(body, { status: res.status, headers: res.headers });
      } finally {
        this.inFlight--;
      }
    } finally {
      this.#release();
    }
  };

  #acquire(): Promise<void> | undefined {
    if (this.#slots < this.maxInFlight) {
      this.#slots++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  // A freed slot passes straight to the longest-waiting call (the count of taken slots stays).
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#slots--;
  }
}

/** Telegram's documented bulk limit is about 30 messages/s per bot; reads are kept under it too. */
export const DEFAULT_CALLS_PER_SECOND = 30;
/** Workers allow 6 simultaneous outbound connections per invocation. */
export const MAX_CONCURRENCY = 6;
