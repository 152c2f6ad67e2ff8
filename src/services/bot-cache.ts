// Bot rows are cached per isolate for a few seconds: the bot lookup is the one D1 read
// every webhook delivery would otherwise pay before its real work. A cached row is only
// trusted to accept: a refusal (unknown, inactive, wrong secret) is always re-checked
// against D1, so a new secret or a reactivation takes effect at once; a deactivation,
// webhook deletion or secret change may let deliveries through for up to BOT_CACHE_MS more.
// It lives here, not in the webhook route, because the services that change a bot drop it.
import { type BotRow, findBot } from "../db/bots";
import type { Db } from "../env";

const BOT_CACHE_MS = 10_000;
export const BOT_CACHE_MAX = 1000;
const botCache = new Map<number, { bot: BotRow | undefined; at: number }>();

/** Drops a bot from this isolate's cache (after its webhook or settings change here). */
export function forgetCachedBot(id: number): void {
  botCache.delete(id);
}

/** The bot row, from this isolate's cache unless `fresh`. */
export async function loadBot(db: Db, id: number, fresh: boolean): Promise<BotRow | undefined> {
  const hit = botCache.get(id);
  if (!fresh && hit && Date.now() - hit.at < BOT_CACHE_MS) return hit.bot;
  const bot = await findBot(db, id);
  if (botCache.size >= BOT_CACHE_MAX) botCache.clear();
  botCache.set(id, { bot, at: Date.now() });
  return bot;
}
