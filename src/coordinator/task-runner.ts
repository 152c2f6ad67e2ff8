// Running one task: the kind-specific step, then the bookkeeping every kind shares
// (attempts and backoff, failure, completion, the D1 mirror). Also what start and stop
// change outside the coordinator for the kinds that have an outside switch.
import { eq } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import { backgroundTasks, bots, broadcasts, type TaskKind } from "../db/schema";
import type { Db } from "../env";
import { broadcastStep } from "../tasks/broadcast";
import { pollingStep } from "../tasks/polling";
import { statsStep } from "../tasks/stats";
import type { StepContext, StepOutcome } from "../tasks/step";
import { mirrorToD1, stateFromRow, type TaskState, taskKey } from "../tasks/task-state";

/** Consecutive failed runs after which a task is marked failed. */
export const MAX_ATTEMPTS = 5;

const STEPS: Record<Exclude<TaskKind, "ai_chat">, (ctx: StepContext) => Promise<StepOutcome>> = {
  polling: pollingStep,
  stats: statsStep,
  broadcast: broadcastStep,
};

export async function loadTaskRow(db: Db, taskId: number): Promise<TaskState | null> {
  const row = await db.select().from(backgroundTasks).where(eq(backgroundTasks.id, taskId)).get();
  return row ? stateFromRow(row) : null;
}

export async function onStart(db: Db, s: TaskState): Promise<void> {
  if (s.kind === "broadcast") {
    const b = await db
      .select({ status: broadcasts.status })
      .from(broadcasts)
      .where(eq(broadcasts.id, Number(s.config.broadcast_id)))
      .get();
    if (b?.status === "done") {
      s.status = "completed";
      return;
    }
    await db
      .update(broadcasts)
      .set({ status: "running" })
      .where(eq(broadcasts.id, Number(s.config.broadcast_id)));
  }
  // ai_chat running is the bot's AI switch: replies follow bots.ai_enabled.
  if (s.kind === "ai_chat") await db.update(bots).set({ aiEnabled: true, updatedAt: nowSeconds() }).where(eq(bots.id, s.botId));
  if (s.status === "running") return;
  Object.assign(s, { status: "running", attempts: 0, lastError: null, startedAt: nowSeconds(), stoppedAt: null });
}

export async function onStop(db: Db, s: TaskState): Promise<void> {
  if (s.kind === "ai_chat") await db.update(bots).set({ aiEnabled: false, updatedAt: nowSeconds() }).where(eq(bots.id, s.botId));
  if (s.kind === "broadcast") {
    await db
      .update(broadcasts)
      .set({ status: "cancelled" })
      .where(eq(broadcasts.id, Number(s.config.broadcast_id)));
  }
  if (s.status !== "running") return;
  Object.assign(s, { status: "stopped", stoppedAt: nowSeconds() });
}

export interface RunDeps extends Omit<StepContext, "save" | "stillRunning"> {
  storage: DurableObjectStorage;
}

/** Runs the task's step once; answers when it should run next (ms), or null for never. */
export async function runTaskOnce(deps: RunDeps): Promise<number | null> {
  const { storage, state, clock, log, db } = deps;
  const key = taskKey(state.id);
  // Writes only what the step owns, so a stop that came in meanwhile is kept.
  const save = async () => {
    const cur = (await storage.get<TaskState>(key)) ?? state;
    await storage.put(key, { ...cur, data: state.data, progress: state.progress });
  };
  const stillRunning = async () => (await storage.get<TaskState>(key))?.status === "running";
  const step = state.kind === "ai_chat" ? undefined : STEPS[state.kind];
  if (!step) return null;

  let outcome: StepOutcome | { error: string };
  try {
    outcome = await step({ ...deps, save, stillRunning });
  } catch (err) {
    log.warn("task run failed", { error: err });
    outcome = { error: err instanceof Error ? err.message : String(err) };
  }

  const cur = (await storage.get<TaskState>(key)) ?? state;
  const s: TaskState = { ...cur, data: state.data, progress: state.progress, lastRunAt: nowSeconds() };
  let next: number | null = null;
  if (s.status !== "running") {
    next = null;
  } else if ("next" in outcome) {
    Object.assign(s, { attempts: 0, lastError: null });
    next = outcome.next;
  } else if ("completed" in outcome) {
    Object.assign(s, { status: "completed", attempts: 0, lastError: null, stoppedAt: nowSeconds() });
  } else if ("fail" in outcome) {
    Object.assign(s, { status: "failed", lastError: outcome.fail, stoppedAt: nowSeconds() });
    log.warn("task failed", { error: outcome.fail });
  } else {
    s.attempts += 1;
    s.lastError = outcome.error;
    if (s.attempts >= MAX_ATTEMPTS) Object.assign(s, { status: "failed", stoppedAt: nowSeconds() });
    else next = clock.now() + Math.min(300_000, 2000 * 2 ** (s.attempts - 1));
  }
  await storage.put(key, s);
  try {
    await mirrorToD1(db, s);
  } catch (err) {
    log.error("mirroring task status to D1 failed", { error: err });
  }
  return next;
}
