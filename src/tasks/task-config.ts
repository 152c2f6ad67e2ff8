// What each kind of task accepts as its config: checked when a task is created, by the API
// and the dashboard form alike, so a task never starts with a config its step cannot read.
import { z } from "zod";
import type { TaskKind } from "../db/schema";
import { parseWith } from "../lib/validate";

export const TASK_KINDS = ["polling", "ai_chat", "stats", "broadcast"] as const satisfies readonly TaskKind[];

/** The kinds and their configs; polling, the AI switch and statistics take none. */
export const TASK_CONFIG: Record<TaskKind, z.ZodType<Record<string, unknown>>> = {
  polling: z.strictObject({}),
  ai_chat: z.strictObject({}),
  stats: z.strictObject({}),
  broadcast: z.strictObject({ broadcast_id: z.number().int().positive() }),
};

/** What a kind does, for the form. */
export const TASK_KIND_HELP: Record<TaskKind, string> = {
  polling: "fetches updates with getUpdates instead of the webhook (delete the webhook first)",
  ai_chat: "the bot's AI switch: answers private messages and mentions through OpenAI/Gemini",
  stats: "collects every chat's statistics once, within the call budget",
  broadcast: "sends a stored broadcast (compose one on the Broadcasts page instead)",
};

export function checkTaskConfig(kind: TaskKind, config: unknown): Record<string, unknown> {
  return parseWith(TASK_CONFIG[kind], config ?? {}, "config");
}
