// POST /telegram/webhook/{bot_id}/ — Telegram's deliveries. No bearer auth: the bot's
// secret token header is the proof. Checks run cheapest-first and nothing is stored
// until all of them pass: unknown/inactive bot 404, bad secret 401, body over 1 MB 413,
// not an Update 400. Then the update goes into the bot's inbox (its coordinator's own
// storage) and the answer is 200 as soon as that write is durable, for a duplicate too.
// Handling follows in the coordinator, which retries its own failures; the only 5xx here
// is a failure to accept durably, so that Telegram delivers the update again.
import { Hono } from "hono";
import { coordinatorFor } from "../coordinator/stub";
import type { BotRow } from "../db/bots";
import type { AppEnv } from "../env";
import { sha256Hex, timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { idParam } from "../lib/validate";
import { BOT_CACHE_MAX, loadBot } from "../services/bot-cache";
import { chatIdOf } from "../telegram/ingest/chat-of";
import { assertUpdateShape } from "../telegram/ingest/shape";

export const MAX_UPDATE_BYTES = 1024 * 1024;
export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

function parseUpdate(text: string): { update_id: number } & Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new AppError("BAD_REQUEST", "Body is not a Telegram Update: expected a JSON object");
  }
  const id = (value as { update_id?: unknown }).update_id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
    throw new AppError("BAD_REQUEST", "Body is not a Telegram Update: update_id must be a non-negative integer");
  }
  const update = value as { update_id: number } & Record<string, unknown>;
  assertUpdateShape(update);
  return update;
}

// The last secret that matched each bot's stored hash, so a busy bot's deliveries skip
// hashing (SHA-256 was ~4% of a delivery's CPU). Keyed by the hash: a new secret misses.
const verifiedSecrets = new Map<string, string>();

async function secretMatches(bot: BotRow, secret: string | undefined): Promise<boolean> {
  // A bot without a stored secret hash has not had its webhook set through us: refuse.
  if (!secret || !bot.webhookSecretHash) return false;
  const known = verifiedSecrets.get(bot.webhookSecretHash);
  if (known !== undefined && timingSafeEqual(known, secret)) return true;
  if (!timingSafeEqual(await sha256Hex(secret), bot.webhookSecretHash)) return false;
  if (verifiedSecrets.size >= BOT_CACHE_MAX) verifiedSecrets.clear();
  verifiedSecrets.set(bot.webhookSecretHash, secret);
  return true;
}

export const webhookRoute = new Hono<AppEnv>().post("/:bot_id", async (c) => {
  const { db, log } = c.var;
  const id = idParam(c, "bot_id", "Bot");
  const secret = c.req.header(SECRET_HEADER);
  let bot = await loadBot(db, id, false);
  if (!bot?.isActive || !(await secretMatches(bot, secret))) {
    bot = await loadBot(db, id, true);
    if (!bot?.isActive) throw new AppError("NOT_FOUND", "Unknown or inactive bot");
    if (!(await secretMatches(bot, secret))) throw new AppError("UNAUTHORIZED", "Missing or wrong X-Telegram-Bot-Api-Secret-Token");
  }

  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_UPDATE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `Update bodies are limited to ${MAX_UPDATE_BYTES} bytes`);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_UPDATE_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Update bodies are limited to ${MAX_UPDATE_BYTES} bytes`);
  }
  const text = new TextDecoder().decode(bytes);
  const update = parseUpdate(text);

  let accepted: { duplicate: boolean };
  try {
    accepted = await coordinatorFor(c.env, bot.id).accept(bot.id, update.update_id, text, chatIdOf(update));
  } catch (err) {
    // Not accepted: Telegram must deliver it again.
    log.error("update not accepted", { bot_id: bot.id, update_id: update.update_id, error: err });
    throw new AppError("UNAVAILABLE", "The update could not be accepted; deliver it again", undefined, { cause: err });
  }
  return c.json({ ok: true, status: accepted.duplicate ? "duplicate" : "accepted" });
});
