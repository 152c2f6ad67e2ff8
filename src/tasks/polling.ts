// The polling task: getUpdates with a persisted offset, feeding the same inbox as the
// webhook. The offset moves past an update only after the inbox has accepted it, so a
// crash between fetch and accept refetches it (the inbox drops the repeat by update_id).
import { telegramFor } from "../telegram/bot-client";
import { TelegramError } from "../telegram/errors";
import { DEFAULT_ALLOWED_UPDATES } from "../telegram/ingest/normalize";
import { shapeProblem } from "../telegram/ingest/shape";
import type { StepContext, StepOutcome } from "./step";

/** Long-poll seconds: short enough that one alarm run stays small, long enough to be cheap. */
export const POLL_TIMEOUT_S = 10;

export const WEBHOOK_CONFLICT_ERROR =
  "Telegram refused getUpdates (409 Conflict) because a webhook is set for this bot; " +
  "delete the webhook (POST /telegram/webhook/{bot_id}/delete/) before starting polling";

export async function pollingStep(ctx: StepContext): Promise<StepOutcome> {
  const { env, log, bot, clock, state } = ctx;
  const offset = typeof state.data.offset === "number" ? state.data.offset : undefined;
  const tg = await telegramFor(env, bot, { maxRetries: 0, timeoutMs: (POLL_TIMEOUT_S + 15) * 1000, log });
  const started = clock.now();
  let updates: Awaited<ReturnType<typeof tg.call<"getUpdates">>>;
  try {
    updates = await tg.call("getUpdates", {
      offset,
      timeout: POLL_TIMEOUT_S,
      limit: 100,
      // Telegram's own default leaves out chat_member, the reactions and the boosts.
      allowed_updates: (bot.allowedUpdates ?? DEFAULT_ALLOWED_UPDATES) as never,
    });
  } catch (err) {
    if (err instanceof TelegramError && err.errorCode === 409) return { fail: WEBHOOK_CONFLICT_ERROR };
    if (err instanceof TelegramError && err.errorCode === 429) return { next: clock.now() + (err.retryAfter ?? 5) * 1000 };
    throw err;
  }

  let fetched = Number(state.progress?.fetched ?? 0);
  for (const update of updates) {
    if (offset !== undefined && update.update_id < offset) continue;
    const malformed = shapeProblem(update as never);
    if (malformed) {
      // Telegram itself sent it: asking again would return the same body forever, so skip it, loudly.
      log.error("malformed update skipped", { bot_id: bot.id, update_id: update.update_id, reason: malformed });
      state.data.offset = update.update_id + 1;
      await ctx.save();
      continue;
    }
    await ctx.accept(update as never);
    fetched += 1;
    state.data.offset = update.update_id + 1;
    state.progress = { offset: state.data.offset, fetched, last_update_id: update.update_id };
    await ctx.save();
  }
  // A real long poll already waited; a fast empty answer (e.g. a fake) must not spin.
  const quick = updates.length === 0 && clock.now() - started < 1000;
  return { next: clock.now() + (quick ? 1000 : 0) };
}
