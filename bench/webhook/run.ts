// Webhook benchmark: N deliveries (a fixture mix, commands included) at a chosen
// concurrency against the platform under `wrangler dev` (local D1/KV, replies going to a
// tiny fake Bot API on 127.0.0.1), and the same deliveries against a minimal Hono Worker
// answering 200, in the same run. Prints requests/s, p50, p99 and the ratio.
//
//   npx tsx bench/webhook/run.ts [--n 2000] [--concurrency 16]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";
import { buildDeliveries, type Delivery } from "./deliveries";
import { startFakeBotApi } from "./fake-bot-api";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    warmup: { type: "string", default: "100" },
  },
});
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const WARMUP = Number(values.warmup);
const root = resolve(import.meta.dirname, "../..");

interface Figures {
  label: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<number, number>;
}

async function drive(label: string, url: string, deliveries: Delivery[], headers: Record<string, string>): Promise<Figures> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        const d = deliveries[i];
        if (!d) return;
        const t0 = performance.now();
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: d.body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { label, requests: deliveries.length, seconds, rps: deliveries.length / seconds, p50: q(0.5), p99: q(0.99), statuses };
}

async function startMinimal(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "tgp-bench-min-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--config",
      join(root, "bench/webhook/minimal.wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      "--inspector-port",
      String(await freePort()),
    ],
    { cwd: root, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 240) throw new Error("minimal worker did not start");
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

const fmt = (f: Figures) =>
  `${f.label.padEnd(22)} ${String(f.requests).padStart(6)} req  ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(7)} ms  statuses ${JSON.stringify(f.statuses)}`;

async function main() {
  const api = await startFakeBotApi();
  const worker = await startWorker({ vars: { TELEGRAM_API_BASE: api.url, PUBLIC_BASE_URL: "https://bench.invalid" } });
  const minimal = await startMinimal();
  try {
    const auth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" };
    const token = `424242:AAE${"b".repeat(32)}`;
    const created = await fetch(`${worker.url}/api/bots`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "bench", token }),
    });
    if (created.status !== 201) throw new Error(`bot create failed: ${created.status} ${await created.text()}`);
    const bot = (await created.json()) as { id: number };
    const set = await fetch(`${worker.url}/telegram/webhook/${bot.id}/set/`, { method: "POST", headers: auth, body: "{}" });
    if (!set.ok) throw new Error(`webhook set failed: ${set.status}`);
    const secret = api.secretFor(token);
    if (!secret) throw new Error("no secret recorded");
    const headers = { "x-telegram-bot-api-secret-token": secret };
    const hook = `${worker.url}/telegram/webhook/${bot.id}/`;

    const warm = buildDeliveries(WARMUP, 1);
    await drive("warmup platform", hook, warm, headers);
    await drive("warmup minimal", `${minimal.url}/telegram/webhook/1/`, warm, headers);

    const deliveries = buildDeliveries(N);
    const platform = await drive("platform (stores all)", hook, deliveries, headers);
    const baseline = await drive("minimal Hono 200", `${minimal.url}/telegram/webhook/1/`, deliveries, headers);

    const unique = new Set(deliveries.map((d) => (JSON.parse(d.body) as { update_id: number }).update_id)).size;
    const [ledger] = worker.sql(
      `SELECT count(*) AS n FROM processed_updates WHERE bot_id = ${bot.id} AND update_id >= 1000000 AND status = 'done'`,
    ) as { n: number }[];
    const [msgs] = worker.sql(
      `SELECT count(*) AS n FROM messages WHERE bot_id = ${bot.id} AND direction = 'in' AND update_id >= 1000000`,
    ) as { n: number }[];

    console.log(`\nwebhook benchmark: ${N} deliveries, concurrency ${CONCURRENCY}, node ${process.version}`);
    console.log(fmt(platform));
    console.log(fmt(baseline));
    console.log(`ratio (platform / minimal throughput): ${(platform.rps / baseline.rps).toFixed(2)}`);
    console.log(
      `stored: ${ledger?.n} of ${unique} unique updates done in the ledger, ${msgs?.n} incoming message rows; ` +
        `fake Bot API calls: ${JSON.stringify(Object.fromEntries(api.calls))}`,
    );
  } finally {
    await minimal.stop();
    await worker.stop();
    await api.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
