// The send governor: every Bot API call of one bot (command replies, AI answers, staff
// sends, broadcasts) takes a slot in the token buckets this bot's coordinator keeps, so the
// bot stays within Telegram's flood limits (about 1 message/s per chat with short bursts of
// 3, 20/min per group, 30/s per bot; src/tasks/pacer.ts holds the ledger and the limits).
//
// Design:
//  - One ledger per bot, in this object's memory (saved with the alarm as "pacer", loaded
//    when the object starts). There is exactly one coordinator per bot, so the buckets need
//    no locks. Broadcasts pace themselves on the same ledger (tasks/broadcast.ts).
//  - A new message counts against its chat, its group (negative ids and @channels) and the
//    bot; edits, drafts, chat actions and callback answers only against the bot.
//  - Waiting never stalls another chat: each chat has its own first-come-first-served line;
//    a waiter sleeps on the coordinator's clock until its chat's buckets allow it, then
//    queues for the bot bucket, whose slots one pump hands out in order.
//  - The inbox drain never waits at all: a reply that cannot go at once is queued in the
//    durable outbox (outbox.ts: the coordinator's SQLite, journaled "queued" under its key,
//    woken by its lanes' timers and by the alarm, surviving eviction) and sent by the
//    outbox's per-chat lanes, which wait here like everyone else. AI answers wait in their
//    own per-chat loop. Staff sends wait at most STAFF_WAIT_BOUND_MS, else they are refused
//    with a 429 and retry_after before anything is sent.
//  - A 429 with retry_after pauses a bucket (which one: pacer.ts flood()), and the call is
//    tried again after it: Telegram documents a 429 as "not done", the only retry allowed.
//  - allow_paid_broadcast (an admin's bot setting) raises the bot bucket to 1000/s.
// A slot is recorded when taken and moved to when the request really left (departed()),
// with pacer.ts' MARGIN_MS added to the windows and the bot's sends spread evenly, so a
// request that reaches Telegram a little late or early still keeps inside its limits.
import type { Clock } from "../lib/clock";
import {
  earliestBot,
  earliestChat,
  flood,
  forgetIfClockWentBack,
  GOVERNED_LIMITS,
  PAID_BOT_MAX_IN_WINDOW,
  type PacerState,
  recordBotOnly,
  recordSend,
  restamp,
} from "../tasks/pacer";
import type { ChatRef, SendGate, SendKind } from "../telegram/ingest/send-gate";

/** The longest a staff send waits for a slot; beyond it the send is refused (429 with retry_after). */
export const STAFF_WAIT_BOUND_MS = 10_000;

export interface GovernorDeps {
  /** Read each time: tests swap the coordinator's clock. */
  clock(): Clock;
  ledger: PacerState;
  /** Sends of this chat waiting in the outbox (they go first). */
  queuedFor(chat: ChatRef): number;
}

export class Governor {
  /** Per chat: the tail of its line and how many are in it. */
  readonly #lines = new Map<string, { tail: Promise<void>; waiting: number }>();
  /** Waiting for the bot bucket, in order (see #botTurn). */
  readonly #botQueue: { take: (now: number) => boolean; done: (took: boolean) => void }[] = [];
  #pumping = false;
  readonly stats = { immediate: 0, waited: 0, floods: { chat: 0, bot: 0 } };

  constructor(readonly deps: GovernorDeps) {}

  get ledger(): PacerState {
    return this.deps.ledger;
  }

  configure(bot: { allowPaidBroadcast?: boolean | null }): void {
    if (bot.allowPaidBroadcast) this.ledger.botMax = PAID_BOT_MAX_IN_WINDOW;
    else delete this.ledger.botMax;
  }

  tryNow(chat: ChatRef | null, kind: SendKind): boolean {
    const now = this.#now();
    if (this.#botQueue.length > 0) return false;
    if (kind === "bot" || chat === null) {
      if (earliestBot(this.ledger, now, GOVERNED_LIMITS) > now) return false;
      recordBotOnly(this.ledger, now, GOVERNED_LIMITS);
      this.stats.immediate += 1;
      return true;
    }
    if (this.#lines.has(String(chat)) || this.deps.queuedFor(chat) > 0) return false;
    if (this.#earliest(chat, now) > now) return false;
    recordSend(this.ledger, chat, now, GOVERNED_LIMITS);
    this.stats.immediate += 1;
    return true;
  }

  /** Waits for a slot and takes it; answers the slot's time (see departed()). */
  async acquire(chat: ChatRef | null, kind: SendKind): Promise<number> {
    this.#now();
    let slot = 0;
    if (kind === "bot" || chat === null) {
      await this.#botTurn((now) => {
        recordBotOnly(this.ledger, now, GOVERNED_LIMITS);
        slot = now;
        return true;
      });
      return slot;
    }
    const key = String(chat);
    const line = this.#lines.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    this.#lines.set(key, line);
    const ahead = line.tail;
    let release = () => {};
    line.tail = new Promise<void>((r) => {
      release = r;
    });
    line.waiting += 1;
    try {
      await ahead;
      let waited = false;
      for (;;) {
        const clock = this.deps.clock();
        const now = clock.now();
        const at = earliestChat(this.ledger, chat, now, GOVERNED_LIMITS);
        if (at > now) {
          waited = true;
          await clock.sleep(at - now);
          continue;
        }
        // The chat may go: now its turn at the bot bucket (the chat is checked again then).
        const took = await this.#botTurn((t) => {
          if (earliestChat(this.ledger, chat, t, GOVERNED_LIMITS) > t) return false;
          recordSend(this.ledger, chat, t, GOVERNED_LIMITS);
          slot = t;
          return true;
        });
        if (took) {
          this.stats[waited || this.#botQueue.length > 0 ? "waited" : "immediate"] += 1;
          return slot;
        }
      }
    } finally {
      release();
      line.waiting -= 1;
      if (line.waiting === 0) this.#lines.delete(key);
    }
  }

  /**
   * The bot bucket, first come first served: one pump hands out its slots in order, so
   * chats ready at once do not all wake for every slot. `take` runs at the slot and answers
   * whether it used it.
   */
  #botTurn(take: (now: number) => boolean): Promise<boolean> {
    return new Promise<boolean>((done) => {
      this.#botQueue.push({ take, done });
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let w = this.#botQueue[0]; w; w = this.#botQueue[0]) {
        const clock = this.deps.clock();
        const now = clock.now();
        const at = earliestBot(this.ledger, now, GOVERNED_LIMITS);
        if (at > now) {
          await clock.sleep(at - now);
          continue;
        }
        this.#botQueue.shift();
        w.done(w.take(now));
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** The send that took `slot` leaves only now (after flushing its journal intent): its record moves to now. */
  departed(chat: ChatRef | null, kind: SendKind, slot: number): void {
    restamp(this.ledger, kind === "message" ? chat : null, slot, this.deps.clock().now());
  }

  flood(chat: ChatRef | null, kind: SendKind, retryAfterSeconds: number): void {
    const which = flood(this.ledger, kind === "message" ? chat : null, this.deps.clock().now(), retryAfterSeconds);
    this.stats.floods[which] += 1;
  }

  /**
   * How long `count` more messages to this chat would wait for the last one's slot, behind
   * what already waits for it (its line and its outbox), by this chat's buckets and the bot's
   * pause; the bot's 30/s adds at most a fraction of a second here.
   */
  estimateWaitMs(chat: ChatRef, count = 1): number {
    const now = this.#now();
    const ahead = (this.#lines.get(String(chat))?.waiting ?? 0) + this.deps.queuedFor(chat);
    const sent = [...(this.ledger.chats[chat] ?? [])];
    let at = now;
    for (let i = 0; i < ahead + count; i++) {
      at = earliestChat(this.ledger, chat, at, GOVERNED_LIMITS, sent);
      sent.push(at);
    }
    return Math.max(at, earliestBot(this.ledger, now, GOVERNED_LIMITS)) - now;
  }

  /** Lines waiting now (chats with someone in line). */
  get waitingChats(): number {
    return this.#lines.size;
  }

  /** The port handed to EffectRunner; `defer` only where the caller must not wait (the drain). */
  gate(defer?: SendGate["defer"]): SendGate {
    return {
      configure: (bot) => this.configure(bot),
      tryNow: (chat, kind) => this.tryNow(chat, kind),
      acquire: (chat, kind) => this.acquire(chat, kind),
      departed: (chat, kind, slot) => this.departed(chat, kind, slot),
      flood: (chat, kind, s) => this.flood(chat, kind, s),
      ...(defer && { defer }),
    };
  }

  /** The time, the ledger forgotten first if the clock went back (pacer.ts forgetIfClockWentBack). */
  #now(): number {
    const now = this.deps.clock().now();
    forgetIfClockWentBack(this.ledger, now);
    return now;
  }

  #earliest(chat: ChatRef, now: number): number {
    return Math.max(earliestChat(this.ledger, chat, now, GOVERNED_LIMITS), earliestBot(this.ledger, now, GOVERNED_LIMITS));
  }
}
