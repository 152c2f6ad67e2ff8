// Clearing a chat's AI conversation memory (the /reset command), which lives in the
// bot's coordinator storage.
import { coordinatorFor } from "../coordinator/bot-coordinator";
import type { Env } from "../env";

export async function clearAiMemory(env: Env, botId: number, chatId: number): Promise<void> {
  await coordinatorFor(env, botId).clearAiMemory(chatId);
}
