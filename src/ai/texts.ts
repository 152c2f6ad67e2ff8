// What the bot says when the AI cannot answer.
export const POLITE_FAILURE = "Sorry, I can't answer right now: the AI service is unavailable. Please try again in a few minutes.";

export function quotaSpentText(quota: number): string {
  return `You have used all ${quota} AI replies for today. The limit resets at 00:00 UTC; please come back tomorrow.`;
}

export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant in a Telegram chat. Answer briefly and clearly.";

/** The one message a user gets when a limit stops the AI (see limits.ts). */
export function limitReachedText(hit: {
  scope: "user" | "chat" | "bot";
  kind: "day" | "month";
  what: "requests" | "tokens";
  limit: number;
}): string {
  if (hit.scope === "user" && hit.kind === "day" && hit.what === "requests") return quotaSpentText(hit.limit);
  const period = hit.kind === "day" ? "today" : "this month";
  const resets = hit.kind === "day" ? "at 00:00 UTC" : "on the 1st of next month (00:00 UTC)";
  const amount = hit.what === "requests" ? `${hit.limit} AI replies` : `${hit.limit.toLocaleString("en-US")} AI tokens`;
  const who = hit.scope === "user" ? "You have" : hit.scope === "chat" ? "This chat has" : "This bot has";
  return `${who} used all ${amount} allowed ${period}. The limit resets ${resets}; until then I will not answer with AI.`;
}
