// Seeds the demo with four weeks of use, through the platform's own paths wherever it has one:
//  - messages, joins and leaves (history.mjs) are delivered by the fake Telegram to the
//    Worker's webhook, with their past dates, and stored by the platform's own ingest and
//    rollups (analytics per day, heatmap, top posters, member events);
//  - the fake Telegram is told the chats grew by what those joins and leaves add up to, so the
//    platform's collector (the stats task and the cron) reads today's member counts from it;
//  - a broadcast is created with the API and paced out by the bot's coordinator to the fake.
// Two things have no path that takes a past date: the collector snapshots "now" only, and AI
// usage is recorded when an answer is made. For the 27 days before today, the snapshots are
// reconstructed from the delivered joins and leaves (today's count minus what came after) and
// AI usage is drawn from the same PRNG; both are written with one `wrangler d1 execute`, as
// rows of the same tables the platform writes (INSERT OR IGNORE: a second run adds nothing).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrangler } from "../lib/local.mjs";
import { generateHistory, HISTORY_CHATS, HISTORY_DAYS, prng } from "./history.mjs";

/** Tells the fake Telegram how many members each chat has now: its seed plus the history's net joins. */
export function growFakeChats(fake, history) {
  for (const chat of Object.values(HISTORY_CHATS)) {
    const c = fake.state.chats.get(chat.id);
    if (!c) continue;
    const net = history.netByDay[chat.id].reduce((a, b) => a + b, 0);
    c.extra_members = (c.extra_members ?? 0) + Math.max(0, net);
  }
}

async function waitUntil(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Connections at once, as Telegram opens several (max_connections) for one webhook. */
const CONNECTIONS = 8;

/**
 * Delivers the history to the bot's webhook, as the fake Telegram would (the URL and secret
 * header it was given by setWebhook) but over several connections at once: the fake's own
 * queue sends one update at a time, which made 1,300 updates take 80 s. Then waits until the
 * bot's inbox has handled all of them (the status endpoint's inbox.pending).
 */
export async function deliverHistory({ api, fake, bot, demoBot, history }) {
  const started = Date.now();
  const hook = fake.fake.inbox(fake.state.findBot(demoBot.id)).webhook;
  if (!hook?.url) throw new Error("the demo bot has no webhook at the fake Telegram");
  const headers = {
    "content-type": "application/json",
    ...(hook.secret_token && { "x-telegram-bot-api-secret-token": hook.secret_token }),
  };
  let next = 0;
  const worker = async () => {
    while (next < history.updates.length) {
      const update = history.updates[next++];
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update) }).catch((e) => ({ status: 0, e }));
        if (res.status === 200) {
          await res.text();
          break;
        }
        if (attempt >= 5) throw new Error(`the webhook refused update ${update.update_id}: HTTP ${res.status}`);
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const acceptedIn = (Date.now() - started) / 1000;
  await waitUntil(
    "the bot's inbox to drain",
    async () => {
      const status = await api("GET", `/telegram/bot/${bot.id}/status/`);
      return status.inbox && status.inbox.pending === 0;
    },
    90_000,
  );
  return { updates: history.updates.length, acceptedIn, seconds: (Date.now() - started) / 1000 };
}

const ADMINS = { [HISTORY_CHATS.group.id]: 1, [HISTORY_CHATS.supergroup.id]: 3, [HISTORY_CHATS.channel.id]: 2 };
const ROLES = {
  [HISTORY_CHATS.group.id]: "member",
  [HISTORY_CHATS.supergroup.id]: "administrator",
  [HISTORY_CHATS.channel.id]: "administrator",
};

/** The SQL for the past days' snapshots and AI usage (see the top of this file for why these two). */
export function backfillSql({ fake, bot, history }) {
  const rows = [];
  for (const chat of Object.values(HISTORY_CHATS)) {
    const now = fake.state.memberCount(fake.state.chats.get(chat.id));
    const net = history.netByDay[chat.id];
    // Members at the end of day d: today's count minus every net change after day d.
    for (let d = 0; d < HISTORY_DAYS - 1; d++) {
      const after = net.slice(d + 1).reduce((a, b) => a + b, 0);
      const period = history.firstDay + d * 86_400 + 12 * 3600;
      rows.push(
        `(${bot.id}, ${chat.id}, ${period}, ${Math.max(1, now - after)}, ${ADMINS[chat.id]}, '${ROLES[chat.id]}', NULL, ${period + 42})`,
      );
    }
  }
  const rand = prng(7);
  const usage = [];
  const aiUsers = [111111111, 222222222, 333333333, 500000001, 500000002, 500000005, 500000008];
  for (let d = 0; d < HISTORY_DAYS - 1; d++) {
    const date = new Date((history.firstDay + d * 86_400) * 1000);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    for (const user of aiUsers) {
      if (rand() < (weekend ? 0.55 : 0.25)) continue;
      const requests = 1 + Math.floor(rand() * (weekend ? 4 : 9));
      const prompt = requests * (250 + Math.floor(rand() * 300));
      const completion = requests * (80 + Math.floor(rand() * 160));
      const failures = rand() < 0.08 ? 1 : 0;
      usage.push(`(${bot.id}, ${user}, '${date.toISOString().slice(0, 10)}', ${requests}, ${prompt}, ${completion}, ${failures})`);
    }
  }
  return [
    `INSERT OR IGNORE INTO chat_snapshots (bot_id, chat_id, period_start, member_count, admin_count, bot_role, error, collected_at) VALUES ${rows.join(",\n")};`,
    `INSERT OR IGNORE INTO ai_usage (bot_id, user_id, day, requests, prompt_tokens, completion_tokens, failures) VALUES ${usage.join(",\n")};`,
  ].join("\n");
}

export function writeBackfill({ fake, bot, history, stateDir }) {
  const file = join(stateDir, "demo-backfill.sql");
  writeFileSync(file, backfillSql({ fake, bot, history }));
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--file", file]);
}

/** One broadcast to every chat the bot is in, paced by its coordinator; waits until it is done. */
export async function finishedBroadcast({ api, bot }) {
  const existing = await api("GET", `/api/broadcasts?bot_id=${bot.id}`);
  let b = existing.results.find((r) => r.status === "done");
  if (!b) {
    b = await api("POST", "/api/broadcasts", {
      bot_id: bot.id,
      audience: "all",
      text: "📣 Demo news: weekly statistics are ready on the dashboard. Thanks for being here!",
    });
  }
  return waitUntil(
    "the broadcast to finish",
    async () => {
      const r = await api("GET", `/api/broadcasts/${b.id}`);
      return r.status === "done" ? r : null;
    },
    60_000,
  );
}

export { generateHistory };
