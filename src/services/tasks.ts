// The task service behind the HTTP endpoints and the cron: create, list, start, stop and
// status. The coordinator (one per bot) runs tasks; the D1 row is the dashboard's mirror
// plus the operator's intent (is_active: the cron keeps such tasks running).
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { coordinatorFor } from "../coordinator/stub";
import { requireBot } from "../db/bots";
import { backgroundTasks, broadcasts, type TaskKind, type TaskStatus } from "../db/schema";
import type { Db, Env } from "../env";
import { AppError } from "../lib/errors";
import { checkTaskConfig } from "../tasks/task-config";
import type { PublicTaskStatus } from "../tasks/task-state";

export type TaskRow = typeof backgroundTasks.$inferSelect;

/** Kinds a bot may have only one of: two would be two loops doing the same job. */
const SINGLETON_KINDS: TaskKind[] = ["polling", "ai_chat", "stats"];

export function publicTask(row: TaskRow) {
  return {
    id: row.id,
    bot_id: row.botId,
    kind: row.kind,
    name: row.name,
    status: row.status,
    is_active: row.isActive,
    config: row.config,
    progress: row.progress,
    last_run_at: row.lastRunAt,
    last_error: row.lastError,
    attempts: row.attempts,
    started_at: row.startedAt,
    stopped_at: row.stoppedAt,
    created_at: row.createdAt,
  };
}
export type PublicTask = ReturnType<typeof publicTask>;

export async function requireTask(db: Db, id: number): Promise<TaskRow> {
  const row = await db.select().from(backgroundTasks).where(eq(backgroundTasks.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Task ${id} not found`);
  return row;
}

export async function createTask(
  db: Db,
  input: { botId: number; kind: TaskKind; name?: string | null; config?: Record<string, unknown> },
): Promise<TaskRow> {
  await requireBot(db, input.botId);
  const config = checkTaskConfig(input.kind, input.config);
  if (SINGLETON_KINDS.includes(input.kind)) {
    const existing = await db
      .select({ id: backgroundTasks.id })
      .from(backgroundTasks)
      .where(and(eq(backgroundTasks.botId, input.botId), eq(backgroundTasks.kind, input.kind)))
      .get();
    if (existing)
      throw new AppError("CONFLICT", `Bot ${input.botId} already has a ${input.kind} task (id ${existing.id})`, { task_id: existing.id });
  }
  if (input.kind === "broadcast") {
    const id = Number(config.broadcast_id);
    const b = Number.isSafeInteger(id) ? await db.select().from(broadcasts).where(eq(broadcasts.id, id)).get() : undefined;
    if (!b || b.botId !== input.botId) {
      throw new AppError(
        "BAD_REQUEST",
        "A broadcast task needs config.broadcast_id of a broadcast of this bot (create one with POST /api/broadcasts)",
      );
    }
  }
  return db
    .insert(backgroundTasks)
    .values({ botId: input.botId, kind: input.kind, name: input.name ?? null, config })
    .returning()
    .get();
}

export async function listTasks(
  db: Db,
  f: { botId?: number; kind?: TaskKind; status?: TaskStatus; ids?: number[] } = {},
): Promise<TaskRow[]> {
  const conds: SQL[] = [];
  if (f.botId !== undefined) conds.push(eq(backgroundTasks.botId, f.botId));
  if (f.kind) conds.push(eq(backgroundTasks.kind, f.kind));
  if (f.status) conds.push(eq(backgroundTasks.status, f.status));
  if (f.ids) conds.push(inArray(backgroundTasks.id, f.ids));
  return db
    .select()
    .from(backgroundTasks)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(backgroundTasks.id))
    .all();
}

/** Starts the task on its bot's coordinator and marks it active (the cron keeps it running). */
export async function startTask(env: Env, db: Db, id: number): Promise<PublicTask> {
  const row = await requireTask(db, id);
  await db.update(backgroundTasks).set({ isActive: true }).where(eq(backgroundTasks.id, id));
  await coordinatorFor(env, row.botId).startTask(id);
  return publicTask(await requireTask(db, id));
}

/** Stops the task and clears its active mark. */
export async function stopTask(env: Env, db: Db, id: number): Promise<PublicTask> {
  const row = await requireTask(db, id);
  await db.update(backgroundTasks).set({ isActive: false }).where(eq(backgroundTasks.id, id));
  await coordinatorFor(env, row.botId).stopTask(id);
  return publicTask(await requireTask(db, id));
}

/** Stops the task, makes its coordinator forget it, and deletes its row. */
export async function deleteTask(env: Env, db: Db, id: number): Promise<void> {
  const row = await requireTask(db, id);
  await stopTask(env, db, id);
  await coordinatorFor(env, row.botId).forgetTask(id);
  await db.delete(backgroundTasks).where(eq(backgroundTasks.id, id));
}

/** The row, with the coordinator's live view of it. */
export async function taskStatus(env: Env, db: Db, id: number): Promise<PublicTask & { live: PublicTaskStatus | null }> {
  const row = await requireTask(db, id);
  const live: PublicTaskStatus | null = await coordinatorFor(env, row.botId).taskStatus(id);
  if (live && row.kind === "ai_chat") {
    // The AI switch may have been flipped through the bots API: the bot row is the truth.
    const bot = await requireBot(db, row.botId);
    live.status = bot.aiEnabled ? "running" : "stopped";
  }
  return { ...publicTask(row), ...(live ? { status: live.status, progress: live.progress, last_error: live.last_error } : {}), live };
}

/** Starts (or stops) every task, or every task of one bot; broadcasts already finished are left alone. */
export async function startOrStopAll(env: Env, db: Db, action: "start" | "stop", botId?: number): Promise<PublicTask[]> {
  const rows = (await listTasks(db, { botId })).filter((r) => !(r.kind === "broadcast" && r.status === "completed"));
  const out: PublicTask[] = [];
  for (const r of rows) out.push(action === "start" ? await startTask(env, db, r.id) : await stopTask(env, db, r.id));
  return out;
}
