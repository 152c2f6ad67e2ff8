// Cron: restart background tasks marked active that are not running. Starting is a no-op
// for a task that runs (the coordinator only makes sure its loop is scheduled), so every
// active task is offered to its coordinator; finished broadcasts are left alone.
// ai_chat tasks only have their status brought in line with bots.ai_enabled.
import { and, eq, ne, or, sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { backgroundTasks } from "../db/schema";
import type { Env } from "../env";
import type { Logger } from "../lib/log";
import { coordinatorFor } from "./stub";

export async function restartActiveTasks(env: Env, log: Logger): Promise<void> {
  const db = createDb(env.DB);
  const rows = await db
    .select({ id: backgroundTasks.id, botId: backgroundTasks.botId, status: backgroundTasks.status })
    .from(backgroundTasks)
    .where(
      and(
        eq(backgroundTasks.isActive, true),
        ne(backgroundTasks.kind, "ai_chat"),
        or(ne(backgroundTasks.kind, "broadcast"), ne(backgroundTasks.status, "completed")),
      ),
    )
    .all();
  // ai_chat has no loop to restart: its status mirrors the bot's AI switch, which the bots API may have changed.
  await db.run(sql`UPDATE background_tasks SET status = CASE WHEN (SELECT ai_enabled FROM bots WHERE bots.id = background_tasks.bot_id) = 1
    THEN 'running' ELSE 'stopped' END WHERE kind = 'ai_chat'`);
  let restarted = 0;
  for (const r of rows) {
    try {
      const s = await coordinatorFor(env, r.botId).startTask(r.id);
      if (r.status !== "running") restarted += 1;
      if (s.status !== "running") log.warn("active task did not start", { task_id: r.id, status: s.status });
    } catch (err) {
      log.error("restarting an active task failed", { task_id: r.id, bot_id: r.botId, error: err });
    }
  }
  log.info("active tasks checked", { active: rows.length, restarted });
}
