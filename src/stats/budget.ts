// How many Bot API calls one invocation may spend on statistics. The defaults suit the
// Workers Paid plan (10,000 subrequests per invocation); STATS_CALL_BUDGET sets the cron's
// budget (raise it to snapshot more chats per run) and caps the others (lower it on the Free
// plan, whose invocations allow 50 subrequests, D1 queries not included).
import type { Env } from "../env";

/** The configured budget, or undefined when unset or not a positive integer. */
export function configuredBudget(env: Pick<Env, "STATS_CALL_BUDGET">): number | undefined {
  const raw = env.STATS_CALL_BUDGET?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The cron's budget: the configured one, or the default. */
export function cronBudget(env: Pick<Env, "STATS_CALL_BUDGET">, fallback: number): number {
  return configuredBudget(env) ?? fallback;
}

/** A live request's or a task batch's budget: its default, capped by the configured one. */
export function cappedBudget(env: Pick<Env, "STATS_CALL_BUDGET">, fallback: number): number {
  return Math.min(fallback, configuredBudget(env) ?? fallback);
}
