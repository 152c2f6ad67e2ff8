// One Durable Object per bot: the single coordinator of that bot's background work.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class BotCoordinator extends DurableObject<Env> {
  /** A cheap liveness probe for the status endpoint and tests. */
  async ping(): Promise<{ ok: true; id: string }> {
    return { ok: true, id: this.ctx.id.toString() };
  }
}

export function coordinatorFor(env: Env, botId: number) {
  return env.BOT_COORDINATOR.get(env.BOT_COORDINATOR.idFromName(`bot:${botId}`));
}
