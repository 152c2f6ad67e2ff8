#!/usr/bin/env node
// `npm run demo`: the platform alive without a Telegram account.
//  1. starts the fake Telegram Bot API (tools/fake-telegram) on 127.0.0.1:8081;
//  2. starts the Worker (wrangler dev) on 127.0.0.1:8787 with TELEGRAM_API_BASE pointing at
//     the fake, its own local state in .wrangler/demo-state (never `npm run dev`'s), and the
//     secrets and staff login of .dev.vars (created from .dev.vars.example when missing);
//  3. registers the demo bot through the API, sets its webhook (the fake then delivers
//     to the Worker over HTTP), and on the first run seeds four weeks of use (scripts/demo/:
//     history through the webhook, a finished broadcast, past snapshots and AI usage), plays
//     a little live activity and collects statistics;
//  4. prints the dashboard, the staff login and how to act as a user.
// Ports: PORT (default 8787) and FAKE_TELEGRAM_PORT (default 8081). DEMO_RESET=1 starts from empty state.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SEEDED_BOTS, startFakeTelegram } from "../tools/fake-telegram/server.mjs";
import { startFakeOpenAi } from "./demo/fake-openai.mjs";
import { deliverHistory, finishedBroadcast, generateHistory, growFakeChats, writeBackfill } from "./demo/seed.mjs";
import { applyMigrations, ensureDevVars, ensureStaffAdmin, wranglerJs } from "./lib/local.mjs";

const startedAt = Date.now();

const port = Number(process.env.PORT ?? 8787);
const fakePort = Number(process.env.FAKE_TELEGRAM_PORT ?? 8081);
const stateDir = join(".wrangler", "demo-state");
const workerUrl = `http://127.0.0.1:${port}`;
const demoBot = SEEDED_BOTS[0];

// The same .dev.vars as `npm run dev` (so the CLI finds the token), made the same way when missing.
const devVars = ensureDevVars();
const token = devVars.ADMIN_API_TOKEN;
if (!token) throw new Error("ADMIN_API_TOKEN is empty in .dev.vars");

if (process.env.DEMO_RESET === "1") rmSync(stateDir, { recursive: true, force: true });
mkdirSync(stateDir, { recursive: true });

const fake = await startFakeTelegram({ port: fakePort });
console.log(`fake Telegram Bot API on ${fake.url}`);
// The demo bot's AI answers come from a stand-in for OpenAI (scripts/demo/fake-openai.mjs), never a real account.
const openai = await startFakeOpenAi({ port: Number(process.env.FAKE_OPENAI_PORT ?? fakePort + 1) });
console.log(`fake OpenAI chat completions on ${openai.url}`);

console.log("applying D1 migrations to the demo database (.wrangler/demo-state)...");
applyMigrations(stateDir);
const staffUser = devVars.DEV_ADMIN_USERNAME || "admin";
const staffPassword = devVars.DEV_ADMIN_PASSWORD || "admin-local-password";
ensureStaffAdmin(staffUser, staffPassword, stateDir);

// Our own env file: .dev.vars' secrets, with the Bot API and the public origin of the demo.
const vars = {
  ...devVars,
  DEV_ADMIN_USERNAME: staffUser,
  DEV_ADMIN_PASSWORD: staffPassword,
  TELEGRAM_API_BASE: fake.url,
  PUBLIC_BASE_URL: workerUrl,
  OPENAI_API_KEY: "demo-key-for-the-fake-openai",
  OPENAI_BASE_URL: openai.url,
  GEMINI_API_KEY: "",
};
const envFile = join(stateDir, "demo.env");
writeFileSync(
  envFile,
  Object.entries(vars)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${v}`)
    .join("\n"),
  { mode: 0o600 },
);
const args = [wranglerJs, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", stateDir, "--env-file", envFile];
args.push("--var", `TELEGRAM_API_BASE:${fake.url}`, "--var", `PUBLIC_BASE_URL:${workerUrl}`, "--var", `OPENAI_BASE_URL:${openai.url}`);
args.push("--show-interactive-dev-session=false");
const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  await fake.close();
  await openai.close();
  process.exit(code);
};
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stop(0));
child.on("exit", (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code}); is port ${port} free? (PORT=8788 npm run demo)`);
    stop(code ?? 1);
  }
});

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function api(method, path, body) {
  const res = await fetch(workerUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { "content-type": "application/json" }) },
    body: body && JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json?.error?.message ?? ""}`);
  return json;
}

const deadline = Date.now() + 90_000;
for (;;) {
  try {
    if ((await fetch(`${workerUrl}/healthz`)).ok) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    console.error("the Worker did not start in 90 s");
    await stop(1);
  }
  await new Promise((r) => setTimeout(r, 300));
}

try {
  const { results } = await api("GET", "/api/bots");
  let bot = results.find((b) => b.name === "demo");
  const fresh = !bot;
  if (!bot) {
    bot = await api("POST", "/api/bots", {
      name: "demo",
      token: demoBot.token,
      username: demoBot.username,
      welcome_text: "Welcome to the demo bot! Try /help, /settings or just say something.",
      // Answered by the fake OpenAI (scripts/demo/fake-openai.mjs).
      ai_enabled: true,
    });
  }
  // The fake forgets webhooks when it stops, so set it on every start.
  await api("POST", `/telegram/webhook/${bot.id}/set/`, {});
  // The same history every run (seeded PRNG); the fake forgets its chats' growth too.
  const history = generateHistory();
  growFakeChats(fake, history);
  const seeded = join(stateDir, "demo-seeded.json");
  if (!existsSync(seeded)) {
    console.log(`seeding ${history.updates.length} updates of the last 28 days through the webhook...`);
    const delivered = await deliverHistory({ api, fake, bot, demoBot, history });
    console.log(
      `  accepted in ${delivered.acceptedIn.toFixed(1)} s, stored and handled in ${delivered.seconds.toFixed(1)} s; past snapshots and AI usage...`,
    );
    writeBackfill({ fake, bot, history, stateDir });
  }
  if (fresh) {
    // A little life, so the chats and statistics pages have something to show.
    const say = (chatId, userId, text) => fake.sendUserMessage({ bot: demoBot.id, chatId, userId, text });
    await say(111111111, 111111111, "/start");
    await say(-4000000001, 222222222, "Hello group!");
    await say(-1001000000001, 111111111, "/help");
    await say(-1001000000001, 333333333, "Nice to meet you all");
    await say(-1001000000002, undefined, "First post in the demo channel");
    await say(-1001000000003, 222222222, "This chat removed the bot later");
    await fake.idle(15_000).catch(() => {});
  }
  if (!existsSync(seeded)) {
    // Today's AI usage through the real path: AI on, three people ask the bot in private.
    if (!bot.ai_enabled) {
      await api("PATCH", `/api/bots/${bot.id}`, { ai_enabled: true });
      await new Promise((r) => setTimeout(r, 11_000)); // the inbox's cached bot row lives 10 s
    }
    const asked = fake.callsOf("sendMessage").length;
    for (const userId of [111111111, 222222222, 333333333])
      await fake.sendUserMessage({ bot: demoBot.id, chatId: userId, userId, text: "What happened in the group this week?" });
    const answered = await waitFor(() => fake.callsOf("sendMessage").length - asked >= 3, 30_000);
    console.log(`  AI: ${answered ? "three private questions answered" : "the AI answers did not come in 30 s"} (fake OpenAI)`);
    const b = await finishedBroadcast({ api, bot });
    console.log(`  broadcast #${b.id} done: ${JSON.stringify(b.counts ?? b.total ?? "")}`);
    // Only now: a run stopped halfway seeds again (the history's fixed update ids are deduped).
    writeFileSync(seeded, JSON.stringify({ at: new Date().toISOString(), updates: history.updates.length, broadcast_id: b.id }));
  }
  await api("GET", `/telegram/bot/${bot.id}/chats/stats/?refresh=1`).catch((e) =>
    console.warn(`statistics not collected yet: ${e.message}`),
  );
  await fetch(`${workerUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`).catch(() => {});
  console.log(`demo ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  console.log(`
────────────────────────────────────────────────────────────────────
 The demo platform is running (Ctrl-C stops it).

 Dashboard:   ${workerUrl}/studio/social/telegram-stats/   (home: ${workerUrl}/)
 Staff login: ${staffUser} / ${staffPassword}   (DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD in .dev.vars)
 API token:   ADMIN_API_TOKEN in .dev.vars (the CLI reads it by itself)

 Act as a Telegram user:
   page:  ${fake.url}/   (send messages, press the bot's buttons, watch its calls)
   cli:   node tools/fake-telegram/act.mjs --fake ${fake.url} --bot ${demoBot.username} --chat 111111111 --text /start
          node tools/fake-telegram/act.mjs --fake ${fake.url} --bot ${demoBot.username} --chat 111111111 --conversation
 Demo bot: "demo" (#${bot.id}) @${demoBot.username}; chats: private 111111111 (Alice), group -4000000001,
           supergroup -1001000000001, channel -1001000000002, removed -1001000000003.

 Operators' CLI:
   npm run cli -- bots list
   npm run cli -- test-bot demo 111111111
   npm run cli -- get-channel-stats --bot-name demo --format summary
────────────────────────────────────────────────────────────────────`);
} catch (err) {
  console.error(`demo setup failed: ${err.message}`);
  await stop(1);
}
