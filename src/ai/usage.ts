// Per-user daily AI usage (ai_usage): requests, tokens and failures, as the AI page shows them.
// The limits are checked against ai_usage_totals (see limits.ts).
import { sql } from "drizzle-orm";
import { aiUsage } from "../db/schema";
import type { Db } from "../env";

/** YYYY-MM-DD in UTC for a time in ms: the quota day. */
export const usageDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

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
