// What one run of a task kind gets from the coordinator, and what it answers.

import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import type { PacerState } from "./pacer";
import type { TaskState } from "./task-state";

/** Puts an update into the bot's inbox (durable once it answers); the coordinator handles it later. */
export type AcceptFn = (update: { update_id: number } & Record<string, unknown>) => Promise<{ duplicate: boolean }>;

export interface StepContext {
  env: Env;
  db: Db;
  log: Logger;
  bot: BotRow;
  clock: Clock;
  /** Mutable: a step changes `data` and `progress`, then calls save(). */
  state: TaskState;
  /** Persists `data` and `progress` at once (so a crash right after loses nothing). */
  save(): Promise<void>;
  /** False once someone stopped the task while this run was under way. */
  stillRunning(): Promise<boolean>;
  /** The bot-wide send ledger shared by every broadcast of this bot. */
  pacer: PacerState;
  accept: AcceptFn;
}

export type StepOutcome =
  /** Run again at this time (ms). */
  | { next: number }
  /** Finished its work. */
  | { completed: true }
  /** Cannot go on; a person must act (the message says what). */
  | { fail: string };

/** How long one run may keep going before it hands back to the alarm (ms of clock time). */
export const STEP_BUDGET_MS = 10_000;
