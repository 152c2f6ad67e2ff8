// One Durable Object per bot: the single coordinator of that bot's work. It owns the bot's
// update inbox (accept, then the drain: see inbox.ts and drain.ts) and the journal of every
// send, and runs the background tasks and the AI queue. Every loop is driven by the one
// alarm (see schedule.ts); task state lives in this object's storage (the truth, surviving
// restarts) and is mirrored into D1 for the dashboard.
import { DurableObject } from "cloudflare:workers";
import type { AiJob } from "../ai/job";
import { findBot } from "../db/bots";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { type Clock, systemClock } from "../lib/clock";
import { createLogger, type Logger } from "../lib/log";
import type { PacerState } from "../tasks/pacer";
import { mirrorToD1, type PublicTaskStatus, publicTaskState, type TaskState, taskKey } from "../tasks/task-state";
import { chatIdOf } from "../telegram/ingest/chat-of";
import type { CoordinatorPort } from "../telegram/ingest/effects";
import { AI_WORK, AiWork } from "./ai-work";
import { installCounterHistory, readCounterHistory } from "./counter-history";
import { Drainer, type DrainFaults, RUN_QUERY_BUDGET } from "./drain";
import { GovernorWork, OUTBOX_WORK, type StaffPermit } from "./governor-work";
import { Inbox, KEEP_DONE_MS } from "./inbox";
import { SqlJournal } from "./journal";
import { arm, dueBy, readSchedule, setDue } from "./schedule";
import { loadTaskRow, onStart, onStop, runTaskOnce } from "./task-runner";

const INBOX_WORK = "inbox";
/** If a drain dies with the object, the alarm picks the inbox up after this. */
const INBOX_SAFETY_NET_MS = 30_000;
const PRUNE_EVERY_MS = 3600_000;
/** A run that crashed the object is retried after this lease (its entry is pushed back before it runs). */
const RUN_LEASE_MS = 60_000;

function queryBudget(raw: string | undefined): number {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 20 ? n : RUN_QUERY_BUDGET;
}

export class BotCoordinator extends DurableObject<Env> {
  /** Seams for tests: a fake clock, and faults injected into the drain. */
  clock: Clock = systemClock;
  faults: DrainFaults | undefined;
  /** Queries one drain run may make (DRAIN_QUERY_BUDGET; tests set it before the first accept). */
  drainBudget: number | undefined;
  #log: Logger = createLogger({ component: "coordinator" });
  readonly #inbox: Inbox;
  readonly #journal: SqlJournal;
  #drainer: Drainer | undefined;
  /** The inbox's safety-net alarm entry as last written (undefined: not known since start). */
  #inboxDue: number | null | undefined;
  #lastPrune = 0;
  /** Alarm runs and drains under way, so settled() can wait for them. */
  readonly #inFlight = new Set<Promise<unknown>>();

  readonly #ai: AiWork;
  /** The bot's send governor and its outbox (governor.ts, outbox.ts). */
  readonly #sending: GovernorWork;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#inbox = new Inbox(ctx.storage.sql);
    installCounterHistory(ctx.storage.sql);
    this.#journal = new SqlJournal(ctx.storage.sql, ctx.storage);
    const self = this;
    this.#sending = new GovernorWork({
      ctx,
      get env() {
        return self.env;
      },
      get clock() {
        return self.clock;
      },
      log: this.#log,
      journal: this.#journal,
      botId: () => this.#botId(),
    });
    this.#ai = new AiWork({
      ctx,
      // Read each time: tests swap the clock and the env.
      get env() {
        return self.env;
      },
      get clock() {
        return self.clock;
      },
      log: this.#log,
      journal: this.#journal,
      port: () => this.#port,
      gate: this.#sending.waitingGate,
    });
  }

  /** What handling an update may ask of this object: passed down as a port, never imported. */
  readonly #port: CoordinatorPort = {
    enqueueAi: (job) => this.enqueueAi(job),
    clearAiMemory: (chatId) => this.clearAiMemory(chatId),
    migrateChat: (oldId, newId) => this.migrateChatMemory(oldId, newId),
    cancelAi: async (chatId, userId) => this.#ai.cancel(chatId, userId),
    retryAi: (req) => this.#ai.retry(req),
  };

  #bot: number | undefined;

  /** Remembers which bot this object serves (every inbox call names it; kept for the alarm). */
  #serve(botId: number): void {
    if (this.#bot === botId) return;
    if (this.#bot === undefined && this.#inbox.getMeta("bot_id") === null) this.#inbox.setMeta("bot_id", String(botId));
    this.#bot = botId;
  }

  #botId(): number {
    this.#bot ??= Number(this.#inbox.getMeta("bot_id") ?? Number.NaN);
    if (!Number.isSafeInteger(this.#bot)) throw new Error("this coordinator has not been told its bot yet");
    return this.#bot;
  }

  #drain(): Drainer {
    const self = this;
    this.#drainer ??= new Drainer(
      {
        // Read each time, so a test can swap the object's env (a D1 that fails on purpose).
        get env() {
          return self.env;
        },
        botId: this.#botId(),
        inbox: this.#inbox,
        journal: this.#journal,
        log: this.#log.child({ bot_id: this.#botId() }),
        now: () => this.clock.now(),
        port: this.#port,
        gate: this.#sending.drainGate,
        faults: () => this.faults,
      },
      this.drainBudget ?? queryBudget(this.env.DRAIN_QUERY_BUDGET),
    );
    return this.#drainer;
  }

  /**
   * Durable accept: writes the update into the inbox (update_id dedupes) and answers once
   * the write is durable. The drain starts right away; the alarm is its safety net.
   * `body` is the update's JSON text; `chatId` its chat (for handling order), if any.
   */
  async accept(botId: number, updateId: number, body: string, chatId: number | null): Promise<{ duplicate: boolean }> {
    this.#serve(botId);
    this.faults?.beforeAccept?.(updateId);
    const res = this.#inbox.accept(updateId, body, chatId, this.clock.now());
    this.faults?.afterAccept?.(updateId);
    if (!res.duplicate) {
      if (this.#inboxDue === undefined || this.#inboxDue === null) await this.#armInbox(this.clock.now() + INBOX_SAFETY_NET_MS);
      // Started after this turn, so the answer is not held behind the drain's own work. (Under
      // local wrangler dev the drain still shares the one thread with the answer's way back:
      // bench/webhook measured the lone accept at ~23 ms with the drain right after it, ~15 ms
      // with the drain held back 25 ms, 12-14 ms for a Worker making one DO write.)
      setTimeout(() => void this.#track(this.#runDrain()), 0);
    }
    return res;
  }

  /**
   * Drains now and answers the inbox's state once nothing is due (tests, operators); by
   * default also once the outbox has sent what the drain queued (outbox: false skips that).
   */
  async drained(botId: number, opts: { outbox?: boolean; ai?: boolean } = {}): Promise<ReturnType<Inbox["stats"]>> {
    this.#serve(botId);
    await this.#runDrain();
    if (opts.outbox !== false) await this.#sending.outbox.idle();
    // AI answers follow in their own loop; `ai` waits for them too (and their sends).
    if (opts.ai) {
      await this.#ai.idle();
      if (opts.outbox !== false) await this.#sending.outbox.idle();
    }
    return this.#inbox.stats(this.clock.now());
  }

  /** The inbox's depth, oldest pending age, dead letters, last error and counters. */
  async inboxStatus(): Promise<ReturnType<Inbox["stats"]> & { drain: Drainer["stats"] }> {
    return { ...this.#inbox.stats(this.clock.now()), drain: this.#drainer?.stats ?? { commits: 0, stored: 0, handled: 0, handovers: 0 } };
  }

  /** The inbox counters' growth per hour over the last `hours` hours (the health console's charts). */
  async counterHistory(hours = 48) {
    return readCounterHistory(this.ctx.storage.sql, hours);
  }

  async deadLetters(limit = 100) {
    return this.#inbox.deadLetters(limit);
  }

  /** Puts a dead letter back in the inbox; false when there is none with that update_id. */
  async replayDeadLetter(botId: number, updateId: number): Promise<boolean> {
    this.#serve(botId);
    const ok = this.#inbox.replay(updateId);
    if (ok) {
      await this.#armInbox(this.clock.now() + INBOX_SAFETY_NET_MS);
      void this.#track(this.#runDrain());
    }
    return ok;
  }

  async discardDeadLetter(updateId: number): Promise<boolean> {
    return this.#inbox.discard(updateId, this.clock.now());
  }

  /** The journal of one update's Bot API calls (what was sent, refused or is unknown). */
  async journalOf(updateId: number) {
    return this.#journal.entries(updateId);
  }

  /** Where one update stands (inbox state, attempts, last error) and its journal; null if unknown. */
  async updateState(updateId: number) {
    const row = this.#inbox.find(updateId);
    if (!row) return null;
    const journal = this.#journal.entries(updateId).map((e) => ({
      key: e.key,
      state: e.state,
      ...(e.state === "sent" ? {} : { detail: e.value ?? null }),
    }));
    return { ...row, journal };
  }

  async #runDrain(fromAlarm = false): Promise<void> {
    try {
      await this.#drain().run();
    } catch (error) {
      this.#log.error("inbox drain failed", { error });
    }
    const now = this.clock.now();
    if (now - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      this.#inbox.prune(now);
      this.#journal.prune(now - KEEP_DONE_MS);
    }
    // Work left (waiting out a backoff or an outage): the alarm comes back for it. Nothing
    // left: the safety net stays armed until its alarm finds nothing, so a steady trickle of
    // updates does not rewrite the alarm on every accept (a storage write on the hot path).
    const next = this.#drain().nextRun();
    if (next === null && !fromAlarm) return;
    await this.#armInbox(next === null ? null : Math.max(next, now + 50)).catch((error) =>
      this.#log.error("arming the inbox alarm failed", { error }),
    );
  }

  async #armInbox(at: number | null): Promise<void> {
    if (this.#inboxDue === at) return;
    this.#inboxDue = at;
    await setDue(this.ctx.storage, INBOX_WORK, at);
  }

  /** A cheap liveness probe for the status endpoint and tests. */
  async ping(): Promise<{ ok: true; id: string }> {
    return { ok: true, id: this.ctx.id.toString() };
  }

  /** Starts a task; starting a running task is a no-op (it only makes sure its loop is scheduled). */
  async startTask(taskId: number): Promise<PublicTaskStatus> {
    const db = createDb(this.env.DB);
    const s = await this.#load(taskId);
    // ai_chat has no loop: it is the bot's AI switch, so start always (idempotently) turns it on.
    if (s.status === "running" && s.kind !== "ai_chat") {
      await dueBy(this.ctx.storage, taskKey(s.id), this.clock.now());
      return publicTaskState(s);
    }
    await onStart(db, s);
    await this.ctx.storage.put(taskKey(s.id), s);
    if ((s.status as TaskState["status"]) === "running" && s.kind !== "ai_chat")
      await setDue(this.ctx.storage, taskKey(s.id), this.clock.now());
    await this.#mirror(s);
    return publicTaskState(s);
  }

  /** Stops a task; stopping a stopped one is a no-op. A run under way notices and does not reschedule. */
  async stopTask(taskId: number): Promise<PublicTaskStatus> {
    const s = await this.#load(taskId);
    if (s.status !== "running" && s.kind !== "ai_chat") return publicTaskState(s);
    await onStop(createDb(this.env.DB), s);
    await this.ctx.storage.put(taskKey(s.id), s);
    await setDue(this.ctx.storage, taskKey(s.id), null);
    await this.#mirror(s);
    return publicTaskState(s);
  }

  async taskStatus(taskId: number): Promise<PublicTaskStatus | null> {
    const s = await this.ctx.storage.get<TaskState>(taskKey(taskId));
    if (s) return publicTaskState(s);
    const row = await loadTaskRow(createDb(this.env.DB), taskId);
    return row ? publicTaskState(row) : null;
  }

  /** Forgets a deleted task (its state and schedule entry). */
  async forgetTask(taskId: number): Promise<void> {
    await this.ctx.storage.delete(taskKey(taskId));
    await setDue(this.ctx.storage, taskKey(taskId), null);
  }

  /** Queues an AI reply; answers at once, the reply follows. Deduped by update_id. */
  async enqueueAi(job: AiJob): Promise<{ queued: boolean; duplicate: boolean }> {
    return this.#ai.enqueue(job);
  }

  /** Forgets a chat's conversation memory (/reset). */
  async clearAiMemory(chatId: number): Promise<void> {
    await this.#ai.clearMemory(chatId);
  }

  /** A group became a supergroup: what this object keeps per chat (the AI memory) moves to the new id. */
  async migrateChatMemory(oldId: number, newId: number): Promise<void> {
    await this.#ai.moveChat(oldId, newId);
  }

  /**
   * Resolves once no alarm run or drain is under way (a test file ends with it, so no work of
   * its own logs after the file is torn down). Paced sends still waiting in the outbox are
   * not waited for: outboxIdle() does that.
   */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work)).catch(() => {});
    return work;
  }

  override alarm(): Promise<void> {
    return this.#track(this.#alarm());
  }

  async #alarm(): Promise<void> {
    const now = this.clock.now();
    const schedule = await readSchedule(this.ctx.storage);
    const due = Object.entries(schedule)
      .filter(([, at]) => at <= now)
      .map(([k]) => k);
    // Push due entries back by a lease first: if the object dies mid-run, the work comes back.
    for (const k of due) schedule[k] = now + RUN_LEASE_MS;
    await this.ctx.storage.put("schedule", schedule);
    await arm(this.ctx.storage, schedule);
    // Broadcasts share the bot's send budget, so they take turns; everything else runs side by side.
    const broadcastIds: number[] = [];
    const work: Promise<void>[] = [];
    for (const k of due) {
      if (k === AI_WORK) work.push(this.#ai.drain());
      else if (k === OUTBOX_WORK) work.push(this.#sending.outbox.fromAlarm());
      else if (k === INBOX_WORK) {
        this.#inboxDue = undefined;
        work.push(this.#runDrain(true));
      } else {
        const id = Number(k.slice("task:".length));
        const kind = (await this.ctx.storage.get<TaskState>(taskKey(id)))?.kind;
        if (kind === "broadcast") broadcastIds.push(id);
        else work.push(this.#runTask(id));
      }
    }
    work.push(
      (async () => {
        for (const id of broadcastIds) await this.#runTask(id).catch((error) => this.#log.error("broadcast run failed", { error }));
      })(),
    );
    const results = await Promise.allSettled(work);
    for (const r of results) if (r.status === "rejected") this.#log.error("coordinator work failed", { error: r.reason });
    await this.#sending.save();
  }

  async #runTask(taskId: number): Promise<void> {
    const storage = this.ctx.storage;
    const s = await storage.get<TaskState>(taskKey(taskId));
    if (s?.status !== "running") {
      await setDue(storage, taskKey(taskId), null);
      return;
    }
    const db = createDb(this.env.DB);
    const bot = await findBot(db, s.botId);
    if (!bot) {
      await this.forgetTask(taskId);
      return;
    }
    const pacer = this.#loadPacer();
    this.#sending.governor.configure(bot);
    const next = await runTaskOnce({
      env: this.env,
      db,
      log: this.#log.child({ bot_id: bot.id, task_id: taskId, kind: s.kind }),
      bot,
      clock: this.clock,
      state: s,
      pacer,
      accept: (update) => this.accept(bot.id, update.update_id, JSON.stringify(update), chatIdOf(update)),
      storage,
    });
    await setDue(storage, taskKey(taskId), next);
    await this.#sending.save();
  }

  /** Broadcasts pace themselves on the send governor's ledger, so they share its buckets. */
  #loadPacer(): PacerState {
    return this.#sending.ledger;
  }

  /**
   * A staff send's permit: waits (at most `boundMs`) for a slot in the bot's buckets and takes
   * it, or refuses with retry_after when the wait would be longer. `count`: the pieces to come.
   */
  async staffSendPermit(botId: number, chatId: number | string, count: number, boundMs: number, paid: boolean): Promise<StaffPermit> {
    this.#serve(botId);
    return this.#sending.staffPermit(chatId, count, boundMs, paid);
  }

  /** A staff send met a 429: pauses the right bucket (see pacer.ts flood()). */
  async reportFlood(chatId: number | string | null, retryAfterSeconds: number): Promise<void> {
    this.#sending.governor.flood(chatId, chatId === null ? "bot" : "message", retryAfterSeconds);
  }

  /** The governor's state: outbox depth, waiting chats, pauses, counters. */
  async sendingStatus() {
    return this.#sending.status();
  }

  /** Resolves once the outbox has sent everything it holds (tests, the bench). */
  async outboxIdle(botId: number) {
    this.#serve(botId);
    await this.#sending.outbox.idle();
    return this.#sending.status();
  }

  async #load(taskId: number): Promise<TaskState> {
    const stored = await this.ctx.storage.get<TaskState>(taskKey(taskId));
    const row = await loadTaskRow(createDb(this.env.DB), taskId);
    if (!row) throw new Error(`Task ${taskId} not found`);
    if (!stored) return row;
    // Configuration may have changed in D1; the running state is ours.
    return { ...stored, config: row.config };
  }

  async #mirror(s: TaskState): Promise<void> {
    try {
      await mirrorToD1(createDb(this.env.DB), s);
    } catch (err) {
      this.#log.error("mirroring task status to D1 failed", { task_id: s.id, error: err });
    }
  }
}
