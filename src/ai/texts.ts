// What the bot says when the AI cannot answer.
export const POLITE_FAILURE = "Sorry, I can't answer right now: the AI service is unavailable. Please try again in a few minutes.";

export function quotaSpentText(quota: number): string {
  return `You have used all ${quota} AI replies for today. The limit resets at 00:00 UTC; please come back tomorrow.`;
}

export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant in a Telegram chat. Answer briefly and clearly.";
