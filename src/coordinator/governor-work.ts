// The coordinator's sending side, bundled so bot-coordinator.ts only wires it: the one send
// governor of the bot (governor.ts), its durable outbox (outbox.ts), and the staff sends'
// permits (a staff send waits for its slot here, at most STAFF_WAIT_BOUND_MS, and is then
// made by the Worker that asked).
import type { Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { emptyPacer, GOVERNED_LIMITS, type PacerState, prune } from "../tasks/pacer";
import type { ChatRef, SendGate } from "../telegram/ingest/send-gate";
import { Governor, STAFF_WAIT_BOUND_MS } from "./governor";
import type { SqlJournal } from "./journal";
import { Outbox } from "./outbox";

export { OUTBOX_WORK } from "./outbox";

const LEDGER_KEY = "pacer";

export type StaffPermit = { ok: true; waited_ms: number } | { ok: false; retry_after: number; reason: string };

export interface GovernorWorkDeps {
  ctx: DurableObjectState;
  readonly env: Env;
  readonly clock: Clock;
  log: Logger;
  journal: SqlJournal;
  botId: () => number;
}

export class GovernorWork {
  readonly ledger: PacerState = emptyPacer();
  readonly governor: Governor;
  readonly outbox: Outbox;
  /** For the drain: a reply that cannot go at once is queued in the outbox. */
  readonly drainGate: SendGate;
  /** For AI answers: they wait for their slot in their own per-chat loop. */
  readonly waitingGate: SendGate;

  constructor(readonly deps: GovernorWorkDeps) {
    const { ctx } = deps;
    this.outbox = new Outbox({
      storage: ctx.storage,
      get env() {
        return deps.env;
      },
      clock: () => deps.clock,
      log: deps.log.child({ component: "outbox" }),
      journal: deps.journal,
      governor: () => this.governor,
      botId: deps.botId,
    });
    this.governor = new Governor({ clock: () => deps.clock, ledger: this.ledger, queuedFor: (c) => this.outbox.queuedFor(c) });
    this.drainGate = this.governor.gate((s) => this.outbox.defer(s));
    this.waitingGate = this.governor.gate();
    // The ledger as last saved (by the alarm), so a restarted object does not forget a busy minute.
    void ctx.blockConcurrencyWhile(async () => {
      const saved = await ctx.storage.get<PacerState>(LEDGER_KEY);
      if (saved) Object.assign(this.ledger, saved);
    });
  }

  async save(): Promise<void> {
    prune(this.ledger, this.deps.clock.now(), GOVERNED_LIMITS);
    await this.deps.ctx.storage.put(LEDGER_KEY, this.ledger);
  }

  /**
   * A staff send asks for `count` slots' worth of room (pieces of a long text): if the last
   * would wait longer than the bound, it is refused with retry_after and nothing is taken;
   * else it waits for the first slot and takes it (the Worker asks again for each next piece,
   * which the first estimate already covered).
   */
  async staffPermit(chat: ChatRef, count: number, boundMs: number, paid: boolean): Promise<StaffPermit> {
    this.governor.configure({ allowPaidBroadcast: paid });
    const wait = this.governor.estimateWaitMs(chat, Math.max(1, count));
    if (wait > boundMs) {
      return {
        ok: false,
        retry_after: Math.ceil(wait / 1000),
        reason: `Telegram's flood limits for this chat (about 1 message/s, 20/min in a group) would hold this send ${Math.ceil(wait / 1000)} s, longer than the ${Math.round(boundMs / 1000)} s a staff send waits; nothing was sent`,
      };
    }
    const t0 = this.deps.clock.now();
    await this.governor.acquire(chat, "message");
    return { ok: true, waited_ms: this.deps.clock.now() - t0 };
  }

  status() {
    return {
      ...this.outbox.depth(),
      waiting_chats: this.governor.waitingChats,
      paused_until: this.ledger.pausedUntil > this.deps.clock.now() ? this.ledger.pausedUntil : null,
      chats_paused: Object.values(this.ledger.chatPausedUntil ?? {}).filter((t) => t > this.deps.clock.now()).length,
      bot_max_per_second: this.ledger.botMax ?? 30,
      governor: this.governor.stats,
      outbox: this.outbox.stats,
      staff_wait_bound_ms: STAFF_WAIT_BOUND_MS,
    };
  }
}
