// Long conversations are summarised instead of silently losing their oldest turns: when a
// chat's memory passes the bot's ai_memory_messages, the oldest turns become one summary
// exchange written by the provider, and the chat is told once ("earlier conversation
// summarised"). If the provider cannot summarise, the oldest turns are dropped as before.
import type { ChatTurn } from "./provider";

export const SUMMARY_PREFIX = "[Summary of our earlier conversation] ";
export const SUMMARY_ACK = "Understood, I will keep that in mind.";
export const SUMMARY_SYSTEM =
  "Summarise the conversation below in a few short sentences: the facts, names and decisions the assistant must remember. Write only the summary.";
export const SUMMARY_NOTICE = "ℹ️ Earlier conversation summarised: I keep a short summary of it instead of every message.";
/** The most characters of old conversation sent to be summarised (the newest of them). */
const MAX_TRANSCRIPT = 8_000;

/**
 * When the turns pass the limit: the oldest ones to summarise, and the newest ones kept
 * (room is left for the two summary turns; kept never opens with the assistant).
 * Null when nothing needs summarising, or the limit is too small for a summary.
 */
export function overflowOf(turns: ChatTurn[], maxMessages: number): { old: ChatTurn[]; kept: ChatTurn[] } | null {
  if (turns.length <= maxMessages || maxMessages < 4) return null;
  let cut = turns.length - (maxMessages - 2);
  while (turns[cut]?.role === "assistant") cut++;
  return { old: turns.slice(0, cut), kept: turns.slice(cut) };
}

/** The single user turn the summariser is asked about. */
export function transcriptOf(old: ChatTurn[]): string {
  const lines = old.map((t) => `${t.role === "user" ? "User" : "Assistant"}: ${t.content}`).join("\n");
  return lines.length > MAX_TRANSCRIPT ? lines.slice(-MAX_TRANSCRIPT) : lines;
}

export function summaryTurns(summary: string): ChatTurn[] {
  return [
    { role: "user", content: `${SUMMARY_PREFIX}${summary}` },
    { role: "assistant", content: SUMMARY_ACK },
  ];
}
