// The Node side of the reliability suites: wrangler dev pointed at the lean fake Bot API,
// bots registered and webhooks set through the API (the secret read back from the fake),
// webhook deliveries made the way Telegram makes them, and every answer kept so the
// run can be searched for leaked secrets afterwards.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, startWorker, TEST_SECRETS, type WorkerHandle } from "../../helpers/wrangler-dev";
import { type LeanTelegram, startLeanTelegram } from "./lean-telegram";

export interface RelBot {
  id: number;
  tgId: number;
  token: string;
  secret: string;
}

export interface Platform {
  worker: WorkerHandle;
  tg: LeanTelegram;
  /** Every answer body the Worker gave during the run (for the secrets search). */
  answers: string[];
  api(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  addBot(tgId: number, patch?: Record<string, unknown>): Promise<RelBot>;
  deliver(bot: RelBot, body: unknown): Promise<number>;
  /**
   * SQL over a copy of the Worker's local D1 taken now (call it when the Worker is idle).
   * Reading the live files from another process (worker.sql) can see a mix of old and new
   * pages while workerd holds them, so the suites always read a copy.
   */
  snapshot(): (query: string) => Record<string, number | string | null>[];
  /** The Worker's own log lines (wrangler's banner, which lists the variables it was given, left out). */
  workerLogs(): string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../../..");
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** A realistic token shape (digits, colon, 35 url-safe characters) so the log masking is really tested. */
export const tokenFor = (tgId: number) => `${tgId}:AAH${String(tgId).padStart(10, "7")}reliabilityTokenX_9z`;

export async function startPlatform(vars: Record<string, string> = {}): Promise<Platform> {
  const tg = await startLeanTelegram();
  const port = await freePort();
  const worker = await startWorker({
    port,
    vars: { TELEGRAM_API_BASE: tg.url, PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...vars },
    timeoutMs: 90_000,
  });
  const answers: string[] = [];
  const snapshots: string[] = [];
  const bearer = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` };

  const api: Platform["api"] = async (path, init = {}) => {
    const res = await fetch(worker.url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { ...bearer, ...(init.body !== undefined && { "content-type": "application/json" }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  return {
    worker,
    tg,
    answers,
    api,
    async addBot(tgId, patch) {
      const token = tokenFor(tgId);
      const created = await api("/api/bots", { body: { name: `rel-${tgId}`, token } });
      if (created.status !== 201) throw new Error(`POST /api/bots: ${created.status} ${JSON.stringify(created.body)}`);
      const id = (created.body as { id: number }).id;
      if (patch) {
        const p = await api(`/api/bots/${id}`, { method: "PATCH", body: patch });
        if (p.status !== 200) throw new Error(`PATCH /api/bots/${id}: ${p.status} ${JSON.stringify(p.body)}`);
      }
      const set = await api(`/telegram/webhook/${id}/set/`, { body: {} });
      if (set.status !== 200) throw new Error(`set webhook: ${set.status} ${JSON.stringify(set.body)}`);
      const secret = tg.secrets.get(token);
      if (!secret) throw new Error("the fake did not record a secret_token");
      return { id, tgId, token, secret };
    },
    async deliver(bot, body) {
      const res = await fetch(`${worker.url}/telegram/webhook/${bot.id}/`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": bot.secret },
        body: JSON.stringify(body),
      });
      answers.push(await res.text());
      return res.status;
    },
    snapshot() {
      const dir = mkdtempSync(join(tmpdir(), "tgp-rel-snap-"));
      // The database and its write-ahead log, not the shared-memory index (rebuilt from the log).
      cpSync(worker.stateDir, dir, { recursive: true, filter: (src) => !src.endsWith("-shm") });
      snapshots.push(dir);
      return (query) => {
        const r = spawnSync(
          process.execPath,
          [wranglerJs, "d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", query],
          {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
          },
        );
        if (r.status !== 0) throw new Error(`wrangler d1 execute failed:\n${r.stdout}\n${r.stderr}`);
        return (JSON.parse(r.stdout) as { results: Record<string, number | string | null>[] }[]).flatMap((x) => x.results);
      };
    },
    workerLogs() {
      const all = worker.logs();
      const ready = all.indexOf("Ready on");
      return ready >= 0 ? all.slice(all.indexOf("\n", ready) + 1) : all;
    },
    async stop() {
      await worker.stop();
      await tg.close();
      for (const dir of snapshots) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Which of `secrets` occur in `texts` (answers as the Worker gave them, log lines). */
export function leakedSecrets(texts: string[], secrets: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value && texts.some((t) => t.includes(value))) leaks.push(name);
  }
  return leaks;
}

/** A private (chat id > 0) or group text message; commands get their bot_command entity. */
export function textUpdate(updateId: number, chatId: number, userId: number, messageId: number, text: string) {
  const cmd = text.startsWith("/") ? (text.split(/\s/)[0] ?? text) : undefined;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: { id: userId, is_bot: false, first_name: `User${userId}`, language_code: "en" },
      chat:
        chatId > 0
          ? { id: chatId, type: "private", first_name: `User${userId}` }
          : { id: chatId, type: "supergroup", title: `Group ${chatId}` },
      date: 1_767_000_000 + (updateId % 86_400),
      text,
      ...(cmd && { entities: [{ type: "bot_command", offset: 0, length: cmd.length }] }),
    },
  };
}

export { TEST_SECRETS };

/**
 * Waits until every bot's coordinator has nothing left to do: its inbox is empty and its
 * send governor's outbox holds no reply still to send or to store (replies paced by the
 * governor go out after the inbox is drained). Answers how long it took, in seconds.
 */
export async function waitSettled(p: Platform, bots: RelBot[], timeoutMs = 60_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const states = await Promise.all(
      bots.map(async (b) => {
        const body = (await p.api(`/telegram/bot/${b.id}/status/`)).body as {
          inbox?: { depth?: number };
          sending?: { queued?: number; unstored?: number };
        };
        return body.inbox?.depth === 0 && body.sending?.queued === 0 && body.sending?.unstored === 0;
      }),
    );
    if (states.every(Boolean)) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) throw new Error(`coordinators not settled after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
