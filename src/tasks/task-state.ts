// A task's state as the coordinator keeps it in Durable Object storage (the truth),
// and its mirror in the D1 background_tasks row (what the dashboard and API read).
import { eq } from "drizzle-orm";
import { backgroundTasks, type TaskKind, type TaskStatus } from "../db/schema";
import type { Db } from "../env";

export interface TaskState {
  id: number;
  botId: number;
  kind: TaskKind;
  status: TaskStatus;
  config: Record<string, unknown>;
  /** Kind-specific state that must survive restarts: polling offset, stats cursor. */
  data: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  lastError: string | null;
  /** Consecutive failed runs; reset by a good run. */
  attempts: number;
  lastRunAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
}

/** Progress as it crosses RPC: flat JSON values (RPC types cannot carry `unknown`). */
export type ProgressView = Record<string, string | number | boolean | null>;

/** The public shape of a task's status (API answers). */
export function publicTaskState(s: TaskState) {
  return {
    id: s.id,
    bot_id: s.botId,
    kind: s.kind,
    status: s.status,
    progress: s.progress as ProgressView | null,
    last_error: s.lastError,
    attempts: s.attempts,
    last_run_at: s.lastRunAt,
    started_at: s.startedAt,
    stopped_at: s.stoppedAt,
  };
}
export type PublicTaskStatus = ReturnType<typeof publicTaskState>;

export const taskKey = (id: number) => `task:${id}`;

export function stateFromRow(row: typeof backgroundTasks.$inferSelect): TaskState {
  return {
    id: row.id,
    botId: row.botId,
    kind: row.kind,
    status: "stopped",
    config: row.config ?? {},
    data: {},
    progress: row.progress ?? null,
    lastError: row.lastError,
    attempts: row.attempts,
    lastRunAt: row.lastRunAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
  };
}

/** Copies the state into the task's D1 row. */
export async function mirrorToD1(db: Db, s: TaskState): Promise<void> {
  await db
    .update(backgroundTasks)
    .set({
      status: s.status,
      progress: s.progress,
      lastRunAt: s.lastRunAt,
      lastError: s.lastError,
      attempts: s.attempts,
      startedAt: s.startedAt,
      stoppedAt: s.stoppedAt,
    })
    .where(eq(backgroundTasks.id, s.id));
}
