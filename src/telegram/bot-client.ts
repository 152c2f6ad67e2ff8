// Bot API clients for stored bots: decrypts the bot's token (TOKEN_ENCRYPTION_KEY) and points
// the client at TELEGRAM_API_BASE. Here rather than in db/, which only reads and writes rows.
import type { Env } from "../env";
import { decryptSecret } from "../lib/crypto";
import { createTelegramClient, type TelegramClient, type TelegramClientOptions } from "./client";

/** The one column this needs, named structurally so telegram/ does not depend on db/bots. */
type WithToken = { tokenCiphertext: string };

export async function botToken(env: Env, bot: WithToken): Promise<string> {
  return decryptSecret(bot.tokenCiphertext, env.TOKEN_ENCRYPTION_KEY);
}

/** A Bot API client for this bot, pointed at TELEGRAM_API_BASE. */
export async function telegramFor(env: Env, bot: WithToken, opts: Partial<TelegramClientOptions> = {}): Promise<TelegramClient> {
  return clientForToken(env, await botToken(env, bot), opts);
}

/** A client for a token not stored yet (checking it with getMe before a bot is created). */
export function clientForToken(env: Env, token: string, opts: Partial<TelegramClientOptions> = {}): TelegramClient {
  return createTelegramClient({ token, baseUrl: env.TELEGRAM_API_BASE, ...opts });
}
