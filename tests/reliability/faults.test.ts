// Faults against `wrangler dev`: the fake Bot API answers ~20% of calls with a 429
// (retry_after 1), a 500, a dropped connection or a 400 "can't parse entities"; the fake AI
// providers answer ~35% of requests with 429 or 500. The driver plays Telegram: one update
// at a time per chat, redelivered until it gets a 2xx. Every update must be stored, every
// reply delivered once or journaled with why not, and no send whose outcome is unknown repeated.
// Faults are drawn per call identity (seeded), so the Bot API faults repeat run after run; how
// an AI bot merges waiting questions into one prompt still depends on timing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LeanAi, startLeanAi } from "./support/lean-ai";
import type { Fault } from "./support/lean-telegram";
import { leakedSecrets, type Platform, type RelBot, startPlatform, TEST_SECRETS, textUpdate, waitSettled } from "./support/platform";
import { draw, pick, pool, rng } from "./support/rng";

const SEED = Number(process.env.RELIABILITY_SEED ?? 20);
const CHATS_PER_BOT = 16;
const UPDATES_PER_CHAT = 8;
/** Telegram's side: how often one update is delivered before the driver calls it lost. */
const DELIVERY_BUDGET = 15;
const AI_KEYS = { OPENAI_API_KEY: "sk-rel-openai-0123456789abcdef", GEMINI_API_KEY: "rel-gemini-key-0123456789abcdef" };

let p: Platform;
let ai: LeanAi;
let plain: RelBot;
let smart: RelBot;

interface Planned {
  bot: RelBot;
  chatId: number;
  kind: "command" | "text";
  body: ReturnType<typeof textUpdate>;
  statuses: number[];
}
const planned: Planned[] = [];
let sql: ReturnType<Platform["snapshot"]>;

beforeAll(async () => {
  ai = await startLeanAi();
  p = await startPlatform({ OPENAI_BASE_URL: `${ai.url}/v1`, GEMINI_BASE_URL: ai.url, ...AI_KEYS });
  plain = await p.addBot(7200000001);
  smart = await p.addBot(7200000002, { ai_enabled: true, ai_providers: ["openai", "gemini"] });
});
afterAll(async () => {
  await p?.stop();
  await ai?.close();
});

describe(`faults: Bot API 20%, AI providers 35% (seed ${SEED})`, () => {
  it("delivers every update within Telegram's redelivery budget", async () => {
    const r = rng(SEED);
    // Each call's fate is fixed by what it is (bot, chat, method, and how many such calls came
    // before it; one update at a time per chat), not by when it arrives among the other chats'.
    const seen = new Map<string, number>();
    const FAULTS: Fault[] = ["429", "500", "drop", "400"];
    p.tg.faults = (call) => {
      // The AI bot's own replies (reply_parameters) are counted apart: they come when its coordinator runs.
      const key = `${call.token}|${call.params.chat_id}|${call.method}|${call.params.reply_parameters ? "ai" : "update"}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const x = draw(`${SEED}|${key}|${n}`);
      return x < 0.2 ? FAULTS[Math.floor(x / 0.05)] : undefined;
    };
    ai.status = (provider, prompt) => {
      const x = draw(`${SEED}|${provider}|${prompt}`);
      return x < 0.35 ? (x < 0.175 ? 429 : 500) : 200;
    };

    let updateId = 800_000_000;
    let messageId = 1;
    const chats: Planned[][] = [];
    for (const bot of [plain, smart]) {
      for (let c = 0; c < CHATS_PER_BOT; c++) {
        const chatId = 8_000_001 + c + (bot === smart ? 100 : 0);
        const list: Planned[] = [];
        for (let u = 0; u < UPDATES_PER_CHAT; u++) {
          const kind = r() < (bot === smart ? 0.3 : 0.6) ? "command" : "text";
          const text = kind === "command" ? pick(r, ["/start", "/help"]) : `question ${updateId + 1} from ${chatId}`;
          const body = textUpdate(++updateId, chatId, chatId, messageId++, text);
          list.push({ bot, chatId, kind, body, statuses: [] });
        }
        chats.push(list);
        planned.push(...list);
      }
    }
    const started = Date.now();
    await pool(chats, 8, async (list) => {
      for (const u of list) {
        for (let attempt = 1; attempt <= DELIVERY_BUDGET; attempt++) {
          p.tg.inFlight.set(`${u.bot.token}|${u.chatId}`, `${u.body.update_id}#${attempt}`);
          const status = await p.deliver(u.bot, u.body).catch(() => 0);
          p.tg.inFlight.delete(`${u.bot.token}|${u.chatId}`);
          u.statuses.push(status);
          if (status >= 200 && status < 300) break;
          await new Promise((res) => setTimeout(res, 20));
        }
      }
    });
    // Every reply is sent by the bots' coordinators after the webhook answered: wait until
    // their inboxes and outboxes are empty, then until the Bot API and the AI fakes are quiet.
    await waitSettled(p, [plain, smart], 120_000);
    let last = -1;
    for (let i = 0; i < 120; i++) {
      const now = p.tg.calls.length + ai.calls.length;
      if (now === last) break;
      last = now;
      await new Promise((res) => setTimeout(res, 2000));
    }
    const redelivered = planned.filter((u) => u.statuses.length > 1).length;
    const faults = p.tg.calls.filter((c) => c.fault).length;
    console.log(
      `[faults] ${planned.length} updates, ${planned.reduce((s, u) => s + u.statuses.length, 0)} deliveries (${redelivered} updates redelivered) in ${((Date.now() - started) / 1000).toFixed(1)} s; Bot API ${p.tg.calls.length} calls, ${faults} faulted; AI ${ai.calls.length} requests, ${ai.calls.filter((c) => c.status !== 200).length} failed`,
    );
    expect(planned.filter((u) => (u.statuses.at(-1) ?? 0) !== 200).map((u) => `${u.body.update_id}: ${u.statuses}`)).toEqual([]);
  });

  it("loses no update: each is stored once and finished", async () => {
    sql = p.snapshot();
    const stored = sql("SELECT count(*) AS n, count(DISTINCT bot_id || ':' || update_id) AS d FROM messages WHERE direction = 'in'");
    const done = sql("SELECT count(*) AS n FROM processed_updates WHERE status = 'done'");
    expect({ stored: stored[0], done: done[0] }).toEqual({ stored: { n: planned.length, d: planned.length }, done: { n: planned.length } });
    for (const bot of [plain, smart]) {
      const status = (await p.api(`/telegram/bot/${bot.id}/status/`)).body as { inbox: { depth: number; dead_letters: number } };
      expect(status.inbox).toMatchObject({ depth: 0, dead_letters: 0 });
    }
  });

  it("sends each command's reply once, or journals why not (refused, or outcome unknown, never repeated)", async () => {
    const wrong: string[] = [];
    const tally = { sent: 0, refused: 0, unknown: 0 };
    const commands = planned.filter((x) => x.kind === "command");
    const perChat = new Map<string, { sent: number; unknown: number }>();
    for (const u of commands) {
      const state = (await p.api(`/telegram/bot/${u.bot.id}/updates/${u.body.update_id}/`)).body as {
        state: string;
        journal: { key: string; state: "sent" | "refused" | "unknown"; detail?: { description?: string } }[];
      };
      const replies = state.journal.filter((j) => j.key.startsWith("reply:"));
      if (state.state !== "done" || replies.length !== 1) wrong.push(`${u.body.update_id}: ${JSON.stringify(state)}`);
      const r = replies[0];
      if (!r) continue;
      tally[r.state]++;
      if (r.state === "refused" && !/can't parse entities/.test(r.detail?.description ?? ""))
        wrong.push(`${u.body.update_id}: reason ${JSON.stringify(r)}`);
      const key = `${u.bot.token}|${u.chatId}`;
      const e = perChat.get(key) ?? { sent: 0, unknown: 0 };
      if (r.state === "sent") e.sent++;
      if (r.state === "unknown") e.unknown++;
      perChat.set(key, e);
    }
    // Per chat, the Bot API saw each sent reply once, and each unknown one (a 500 or a dropped
    // connection) once: a send whose outcome is unknown is never made again.
    for (const [key, e] of perChat) {
      const calls = p.tg.calls.filter(
        (c) => c.method === "sendMessage" && !c.params.reply_parameters && `${c.token}|${c.params.chat_id}` === key,
      );
      const ok = calls.filter((c) => !c.fault).length;
      const unknown = calls.filter((c) => c.fault === "500" || c.fault === "drop").length;
      if (ok !== e.sent || unknown !== e.unknown) wrong.push(`${key}: journal ${JSON.stringify(e)}, Bot API ${ok} ok, ${unknown} unknown`);
    }
    console.log(
      `[faults] ${commands.length} command replies: ${tally.sent} sent, ${tally.refused} refused (400), ${tally.unknown} outcome unknown (journaled, not repeated)`,
    );
    expect(wrong).toEqual([]);
  });

  it("asks each AI provider at most once per prompt, falls back in order, and answers or logs every prompt", () => {
    const prompts = new Map<string, { openai: number; gemini: number; firstOk: boolean; order: string[] }>();
    for (const c of ai.calls) {
      const e = prompts.get(c.prompt) ?? { openai: 0, gemini: 0, firstOk: false, order: [] };
      e[c.provider]++;
      e.order.push(`${c.provider}:${c.status}`);
      prompts.set(c.prompt, e);
    }
    const wrong: string[] = [];
    for (const [prompt, e] of prompts) {
      if (e.openai > 1 || e.gemini > 1) wrong.push(`${prompt}: asked ${e.order}`);
      if (e.order[0]?.startsWith("gemini") || (e.order[0] === "openai:200" && e.gemini > 0)) wrong.push(`${prompt}: order ${e.order}`);
    }
    // Every AI question reached the providers (possibly merged with the next ones of the same chat).
    const questions = planned.filter((u) => u.bot === smart && u.kind === "text");
    const lost = questions.filter((u) => ![...prompts.keys()].some((k) => k.split("\n").includes(u.body.message.text)));
    // Each prompt ends in a reply to its chat, or in a logged failure to send it.
    const logs = p.workerLogs();
    const perChat = new Map<number, { prompts: number; replies: number; failures: number }>();
    const entry = (chat: number) => perChat.get(chat) ?? { prompts: 0, replies: 0, failures: 0 };
    for (const prompt of prompts.keys()) {
      const chat = Number(/from (\d+)$/.exec(prompt.split("\n").at(-1) ?? "")?.[1]);
      perChat.set(chat, { ...entry(chat), prompts: entry(chat).prompts + 1 });
    }
    for (const c of p.tg.calls) {
      if (c.method === "sendMessage" && !c.fault && c.params.reply_parameters && c.token === smart.token) {
        const chat = Number(c.params.chat_id);
        perChat.set(chat, { ...entry(chat), replies: entry(chat).replies + 1 });
      }
    }
    for (const line of logs.split("\n")) {
      const m = line.includes("AI reply failed") ? /"chat_id":(-?\d+)/.exec(line) : null;
      if (m) perChat.set(Number(m[1]), { ...entry(Number(m[1])), failures: entry(Number(m[1])).failures + 1 });
    }
    const unsettled = [...perChat].filter(([, v]) => v.prompts !== v.replies + v.failures);
    const allFailed = [...prompts.values()].filter((e) => e.order.every((o) => !o.endsWith(":200"))).length;
    const usage = sql("SELECT coalesce(sum(failures), 0) AS n FROM ai_usage") as { n: number }[];
    console.log(
      `[faults] ${questions.length} AI questions in ${prompts.size} prompts; ${allFailed} with every provider failing; ${[...perChat.values()].reduce((s, v) => s + v.failures, 0)} replies that could not be sent (logged)`,
    );
    expect({ wrong, lost: lost.map((u) => u.body.message.text), unsettled }).toEqual({ wrong: [], lost: [], unsettled: [] });
    // ai_usage.failures counts every prompt whose answer did not reach the user: all providers
    // failed (once, whether or not the polite reply got through), or the answer's send failed.
    const sendFailures = [...perChat.values()].reduce((s, v) => s + v.failures, 0);
    expect(usage[0]?.n).toBeGreaterThanOrEqual(allFailed);
    expect(usage[0]?.n).toBeLessThanOrEqual(allFailed + sendFailures);
    // The keys reached the fakes as credentials, nowhere else (see the next test).
    expect(new Set(ai.calls.map((c) => c.key))).toEqual(new Set([AI_KEYS.OPENAI_API_KEY, AI_KEYS.GEMINI_API_KEY]));
  });

  it("never shows a secret in an answer or a log line", () => {
    const secrets: Record<string, string> = { ...TEST_SECRETS, ...AI_KEYS };
    delete secrets.DEV_ADMIN_USERNAME;
    for (const b of [plain, smart]) {
      secrets[`token of bot ${b.id}`] = b.token;
      secrets[`webhook secret of bot ${b.id}`] = b.secret;
    }
    expect(leakedSecrets([...p.answers, p.workerLogs()], secrets)).toEqual([]);
  });
});
