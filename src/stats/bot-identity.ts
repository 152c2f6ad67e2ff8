// The bot's own Telegram user id, needed to find its role among a chat's administrators.
// bots.tg_id is filled from getMe when the bot is created; when it is missing, a getMe
// answer cached in KV for a day stands in (one call per bot per day at most).
import type { BotRow } from "../db/bots";
import type { Env } from "../env";
import type { TelegramClient } from "../telegram/client";

const TTL_SECONDS = 86_400;
const keyOf = (botId: number) => `stats:bot-tg-id:${botId}`;

export async function botTelegramId(env: Env, bot: Pick<BotRow, "id" | "tgId">, client: TelegramClient): Promise<number> {
  if (bot.tgId) return bot.tgId;
  const cached = await env.KV.get(keyOf(bot.id));
  if (cached && /^\d+$/.test(cached)) return Number(cached);
  const me = await client.call("getMe");
  await env.KV.put(keyOf(bot.id), String(me.id), { expirationTtl: TTL_SECONDS });
  return me.id;
}
