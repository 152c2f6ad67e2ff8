// How everything outside the Durable Object reaches a bot's coordinator: by name, one per
// bot. Only the class's type is imported here; only index.ts imports the class itself.
import type { Env } from "../env";
import type { BotCoordinator } from "./bot-coordinator";

export function coordinatorFor(env: Env, botId: number): DurableObjectStub<BotCoordinator> {
  const ns = env.BOT_COORDINATOR as unknown as DurableObjectNamespace<BotCoordinator>;
  return ns.get(ns.idFromName(`bot:${botId}`));
}
