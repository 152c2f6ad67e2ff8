// The stats task: one collectStatsBatch per run, resuming from the persisted state.
import { collectStatsBatch, type StatsBatchState } from "../stats/batch";
import type { StepContext, StepOutcome } from "./step";

export async function statsStep(ctx: StepContext): Promise<StepOutcome> {
  const { env, db, log, bot, clock, state } = ctx;
  const prev = (state.data.stats as StatsBatchState | undefined) ?? null;
  const res = await collectStatsBatch({ env, db, log, bot }, prev);
  state.data.stats = res.state;
  state.progress = { collected: res.state.collected, failed: res.state.failed, total: res.state.total, done: res.done };
  await ctx.save();
  if (res.done) {
    // A finished run starts from scratch next time the task is started.
    state.data.stats = null;
    await ctx.save();
    return { completed: true };
  }
  // Telegram asked us to wait (a 429 the client would not wait out itself): honour it.
  const waitMs = Math.max(1000, (res.state.retryAfter ?? 0) * 1000);
  return { next: clock.now() + waitMs };
}
