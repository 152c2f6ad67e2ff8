// Collects a list of one bot's chats and stores the results: the one path the endpoints,
// the cron snapshots and the Durable Object's batches share.
import type { BotRow } from "../db/bots";
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";
import { telegramFor } from "../telegram/bot-client";
import { botTelegramId } from "./bot-identity";
import type { CallMeter } from "./call-meter";
import type { ChatTarget } from "./collect-chat";
import { type CollectManyResult, collectMany } from "./collect-many";
import { rolesRead, saveResults } from "./store";

export interface StatsDeps {
  env: Env;
  db: Db;
  log: Logger;
}

export async function collectForBot(
  deps: StatsDeps,
  bot: BotRow,
  targets: ChatTarget[],
  meter: CallMeter,
  opts: { periodStart?: number } = {},
): Promise<CollectManyResult> {
  if (targets.length === 0) return { results: [], skipped: [], retryAfter: null };
  const client = await telegramFor(deps.env, bot, { fetch: meter.fetch, log: deps.log });
  const tgId = await botTelegramId(deps.env, bot, client);
  const out = await collectMany(client, meter, targets, tgId);
  await saveResults(deps.db, bot.id, out.results, opts.periodStart, rolesRead(targets));
  const failed = out.results.filter((r) => r.error).length;
  deps.log.info("stats collected", {
    bot_id: bot.id,
    chats: out.results.length,
    failed,
    skipped: out.skipped.length,
    calls: meter.calls,
    peak_connections: meter.peakInFlight,
    retry_after: out.retryAfter,
  });
  return out;
}
