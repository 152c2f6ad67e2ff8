// The send governor's bench: 1,000 replies queued at once across 100 chats (50 private, 50
// groups, 10 /start each), delivered as webhooks to the platform under `wrangler dev`,
// answered through a fake Bot API on 127.0.0.1 that ENFORCES Telegram's limits (a 429 with
// retry_after past about 1/s per chat with bursts of 3, 20/min per group, 30/s per bot;
// tests/helpers/flood-limits.ts) on its own clock, as they arrive.
//
// Prints: the time from the first reply to the last as the fake saw them, against the
// bound the limits allow (derived below, formula printed), the 429s the fake answered, and
// replies lost or repeated (per chat, 10 expected each). Goal: within 1.1x the bound, no 429.
//
//   npm run bench:governor            (npx tsx bench/governor/run.ts [--chats 100] [--per-chat 10])
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FloodLimits } from "../../tests/helpers/flood-limits";
import { startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHATS = arg("chats", 100);
const PER_CHAT = arg("per-chat", 10);
const N = CHATS * PER_CHAT;
const DELIVERY_CONCURRENCY = 16;
const TIMEOUT_MS = 300_000;

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => console.log(s);

// The bound: the earliest the last reply may reach Telegram after the first, by the limits.
//  - bot: 30 per second -> the N-th send no earlier than floor((N - 1) / 30) s after the first;
//  - chat: bursts of 3 per 3 s -> its k-th send no earlier than 3 * floor((k - 1) / 3) s;
//  - group: 20 per minute -> its k-th send no earlier than 60 * floor((k - 1) / 20) s.
const L = { botMax: 30, chatBurst: 3, chatWindowS: 3, groupMax: 20 };
const boundBotS = Math.floor((N - 1) / L.botMax);
const boundChatS = L.chatWindowS * Math.floor((PER_CHAT - 1) / L.chatBurst);
const boundGroupS = 60 * Math.floor((PER_CHAT - 1) / L.groupMax);
const boundS = Math.max(boundBotS, boundChatS, boundGroupS);

async function startFake() {
  const limits = new FloodLimits(nowMs);
  const secrets = new Map<string, string>();
  const replies = new Map<string, number>();
  let messageId = 1;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? "");
      const token = m?.[1] ?? "";
      const method = m?.[2] ?? "";
      const p = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
      const botId = Number(token.split(":")[0]);
      const me = { id: botId, is_bot: true, first_name: "Bench", username: `bench${botId}_bot` };
      const reply = (status: number, j: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(j));
      };
      if (method === "sendMessage") {
        const refused = limits.check(p.chat_id, p.text);
        if (refused) return reply(429, { ok: false, ...refused });
        replies.set(String(p.chat_id), (replies.get(String(p.chat_id)) ?? 0) + 1);
        const chatId = Number(p.chat_id);
        return reply(200, {
          ok: true,
          result: {
            message_id: messageId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" },
            from: me,
            text: p.text,
          },
        });
      }
      if (method === "getMe")
        return reply(200, {
          ok: true,
          result: { ...me, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
        });
      if (method === "setWebhook") secrets.set(token, String(p.secret_token ?? ""));
      if (method === "getWebhookInfo")
        return reply(200, { ok: true, result: { url: "", has_custom_certificate: false, pending_update_count: 0 } });
      return reply(200, { ok: true, result: true });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, limits, secrets, replies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function update(updateId: number, chatId: number) {
  const userId = chatId > 0 ? chatId : 7_000_000 + (updateId % 1000);
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      from: { id: userId, is_bot: false, first_name: "U", language_code: "en" },
      chat: chatId > 0 ? { id: chatId, type: "private", first_name: "U" } : { id: chatId, type: "supergroup", title: "G" },
      date: Math.floor(Date.now() / 1000),
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  };
}

async function main() {
  const fake = await startFake();
  const worker = await startWorker({ vars: { TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: "https://bench.invalid" } });
  try {
    const auth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" };
    const token = `424242:AAE${"g".repeat(32)}`;
    const created = await fetch(`${worker.url}/api/bots`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "bench", token }),
    });
    if (created.status !== 201) throw new Error(`bot create failed: ${created.status} ${await created.text()}`);
    const bot = (await created.json()) as { id: number };
    const set = await fetch(`${worker.url}/telegram/webhook/${bot.id}/set/`, { method: "POST", headers: auth, body: "{}" });
    if (!set.ok) throw new Error(`webhook set failed: ${set.status}`);
    const secret = fake.secrets.get(token);
    if (!secret) throw new Error("no secret recorded by the fake");

    const chats = Array.from({ length: CHATS }, (_, i) => (i % 2 === 0 ? 9_000_001 + i : -1_009_000_000_001 - i));
    const updates: ReturnType<typeof update>[] = [];
    let id = 1;
    for (let round = 0; round < PER_CHAT; round++) for (const c of chats) updates.push(update(id++, c));

    const hook = `${worker.url}/telegram/webhook/${bot.id}/`;
    const t0 = nowMs();
    let next = 0;
    let bad = 0;
    await Promise.all(
      Array.from({ length: DELIVERY_CONCURRENCY }, async () => {
        for (let u = updates[next++]; u; u = updates[next++]) {
          const res = await fetch(hook, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
            body: JSON.stringify(u),
          });
          if (res.status !== 200) bad++;
          await res.arrayBuffer();
        }
      }),
    );
    const accepted = nowMs();
    let drainedAt: number | undefined;
    const statusUrl = `${worker.url}/telegram/bot/${bot.id}/status/`;
    const deadline = t0 + TIMEOUT_MS;
    let sending: unknown;
    while (nowMs() < deadline) {
      if (drainedAt === undefined) {
        const s = (await (await fetch(statusUrl, { headers: { authorization: auth.authorization } })).json()) as {
          counters: { updates_done: number };
          inbox: { depth: number };
          sending: unknown;
        };
        sending = s.sending;
        if (s.counters.updates_done >= N && s.inbox.depth === 0) drainedAt = nowMs();
      }
      if (fake.limits.accepted.length >= N) break;
      await sleep(200);
    }
    await sleep(2000); // anything sent twice would show up now
    const times = fake.limits.accepted.map((a) => a.t).sort((a, b) => a - b);
    const first = times[0] ?? t0;
    const last = times[times.length - 1] ?? t0;
    let lost = 0;
    let repeated = 0;
    for (const c of chats) {
      const got = fake.replies.get(String(c)) ?? 0;
      lost += Math.max(0, PER_CHAT - got);
      repeated += Math.max(0, got - PER_CHAT);
    }
    const elapsedS = (last - first) / 1000;
    say(
      `governor bench: ${N} replies across ${CHATS} chats (${CHATS / 2} private, ${CHATS / 2} groups, ${PER_CHAT} each), fake Bot API enforcing the limits`,
    );
    say(
      `  deliveries: ${N} webhooks in ${((accepted - t0) / 1000).toFixed(1)} s (${bad} not 200); inbox drained (every update handled) ${drainedAt ? `${((drainedAt - t0) / 1000).toFixed(1)} s` : "not within the timeout"} after the first delivery`,
    );
    say(
      `  replies: first reached the fake ${((first - t0) / 1000).toFixed(2)} s after the first delivery, last ${((last - t0) / 1000).toFixed(2)} s`,
    );
    say(
      `  bound = max(floor((N-1)/30) s [bot 30/s], 3*floor((k-1)/3) s [chat: bursts of 3 per 3 s, k=${PER_CHAT}], 60*floor((k-1)/20) s [group 20/min])`,
    );
    say(`        = max(${boundBotS}, ${boundChatS}, ${boundGroupS}) = ${boundS} s from the first reply to the last`);
    say(`  elapsed first -> last reply: ${elapsedS.toFixed(2)} s = ${(elapsedS / boundS).toFixed(3)}x the bound (goal <= 1.1x)`);
    say(
      `  429 answered by the fake: ${fake.limits.refused} (goal 0; by limit ${JSON.stringify(fake.limits.refusedBy)}); lost: ${lost}; repeated: ${repeated}; replies seen: ${fake.limits.accepted.length}/${N}`,
    );
    say(`  governor status while draining: ${JSON.stringify(sending)}`);
  } finally {
    await worker.stop();
    await fake.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
