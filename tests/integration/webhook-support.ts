// Shared by the webhook, commands and data-API tests: a bot registered through the API
// with its webhook set through /set/ (the secret read back from the fake Bot API), and
// deliveries the way Telegram makes them.
import { env, exports } from "cloudflare:workers";
import { coordinatorFor } from "../../src/coordinator/stub";
import { apiJson, createBot } from "../helpers/api";
import type { FakeTelegram } from "../helpers/fake-telegram";

export interface TestBot {
  id: number;
  username: string;
  token: string;
  secret: string;
}

/** Registers a bot with the fake and the API, and sets its webhook; answers its secret. */
export async function setupBot(fake: FakeTelegram, tgId: number, username: string): Promise<TestBot> {
  const { token } = fake.addBot(tgId, username);
  const bot = await createBot(`bot-${username}`, token);
  const set = await apiJson(`/telegram/webhook/${bot.id}/set/`, { body: {} });
  if (set.status !== 200) throw new Error(`set webhook failed: ${set.status} ${JSON.stringify(set.body)}`);
  const secret = fake.webhooks.get(token)?.secret_token;
  if (!secret) throw new Error("the fake did not record a secret_token");
  return { id: bot.id, username, token, secret };
}

/**
 * Delivers an update the way Telegram does. An accepted update (200) is handled by the bot's
 * coordinator after the answer; unless `handled: false`, this waits until the coordinator
 * has nothing left to do, so a test can look at what handling did.
 */
export async function deliver(
  botId: number,
  secret: string | null,
  body: unknown,
  headers: Record<string, string> = {},
  opts: { handled?: boolean } = {},
): Promise<Response> {
  const h: Record<string, string> = { "content-type": "application/json", ...headers };
  if (secret !== null) h["x-telegram-bot-api-secret-token"] = secret;
  const res = await exports.default.fetch(
    new Request(`https://platform.test/telegram/webhook/${botId}/`, {
      method: "POST",
      headers: h,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  if (res.status === 200 && opts.handled !== false) await settle(botId);
  return res;
}

/** Waits until the bot's coordinator has handled everything due in its inbox; answers its state. */
export async function settle(botId: number) {
  return coordinatorFor(env, botId).drained(botId);
}

let nextUpdateId = 10_000;
let nextMessageId = 50_000;

/** A private text message update from a user (fresh update_id and message_id each call). */
export function textUpdate(
  text: string,
  opts: { userId?: number; chatId?: number; lang?: string; chatType?: string; updateId?: number } = {},
) {
  const userId = opts.userId ?? 424242;
  const chatId = opts.chatId ?? userId;
  const type = opts.chatType ?? (chatId > 0 ? "private" : "supergroup");
  const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }] : undefined;
  return {
    update_id: opts.updateId ?? nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      from: { id: userId, is_bot: false, first_name: "Test", username: `user${userId}`, language_code: opts.lang ?? "en" },
      chat: type === "private" ? { id: chatId, type, first_name: "Test" } : { id: chatId, type, title: "Group" },
      date: 1_700_000_000,
      text,
      ...(entities && { entities }),
    },
  };
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return Number(row?.n ?? 0);
}

/** Texts the bot sent with sendMessage, in order. */
export function sentTexts(fake: FakeTelegram): string[] {
  return fake.callsOf("sendMessage").map((c) => String(c.params.text));
}
