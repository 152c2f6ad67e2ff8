// Per-user daily AI usage (ai_usage): the quota check and token accounting.
import { and, eq, sql } from "drizzle-orm";
import { aiUsage } from "../db/schema";
import type { Db } from "../env";

/** YYYY-MM-DD in UTC for a time in ms: the quota day. */
export const usageDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function requestsToday(db: Db, botId: number, userId: number, day: string): Promise<number> {
  const row = await db
    .select({ requests: aiUsage.requests })
    .from(aiUsage)
    .where(and(eq(aiUsage.botId, botId), eq(aiUsage.userId, userId), eq(aiUsage.day, day)))
    .get();
  return row?.requests ?? 0;
}

export async function recordUsage(
  db: Db,
  key: { botId: number; userId: number; day: string },
  add: { requests?: number; promptTokens?: number; completionTokens?: number; failures?: number },
): Promise<void> {
  const r = add.requests ?? 0;
  const p = add.promptTokens ?? 0;
  const c = add.completionTokens ?? 0;
  const f = add.failures ?? 0;
  await db
    .insert(aiUsage)
    .values({ ...key, requests: r, promptTokens: p, completionTokens: c, failures: f })
    .onConflictDoUpdate({
      target: [aiUsage.botId, aiUsage.userId, aiUsage.day],
      set: {
        requests: sql`${aiUsage.requests} + ${r}`,
        promptTokens: sql`${aiUsage.promptTokens} + ${p}`,
        completionTokens: sql`${aiUsage.completionTokens} + ${c}`,
        failures: sql`${aiUsage.failures} + ${f}`,
      },
    });
}
