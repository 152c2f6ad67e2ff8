// How everything outside the Durable Object reaches a bot's coordinator: by name, one per
// bot. Only the type of the class is imported here; only index.ts imports the class itself.
import type { Env } from "../env";

export function coordinatorFor(env: Env, botId: number) {
  return env.BOT_COORDINATOR.get(env.BOT_COORDINATOR.idFromName(`bot:${botId}`));
}
