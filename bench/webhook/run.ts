// Webhook benchmark: N deliveries (a fixture mix, commands included) at a chosen
// concurrency against the platform under `wrangler dev` (local D1/KV, replies going to a
// tiny fake Bot API on 127.0.0.1), and the same deliveries against a minimal Hono Worker
// answering 200, in the same run. Prints requests/s, p50, p99, the CPU time each server's
// processes used per delivery, and the ratios. The deliveries go in rounds that alternate
// between the two servers (and which goes first), so a change in the machine's load during
// the run weighs on both alike.
//
//   npx tsx bench/webhook/run.ts [--n 2000] [--concurrency 16] [--rounds 4]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";
import { treeCpuSeconds } from "./cpu";
import { buildDeliveries, type Delivery } from "./deliveries";
import { startFakeBotApi } from "./fake-bot-api";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    warmup: { type: "string", default: "100" },
    rounds: { type: "string", default: "4" },
  },
});
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const WARMUP = Number(values.warmup);
const ROUNDS = Math.max(1, Number(values.rounds));
const root = resolve(import.meta.dirname, "../..");

interface Figures {
  label: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<number, number>;
  /** CPU seconds the server's processes used while serving these requests (and the kernel's share of it). */
  cpu: number;
  sys: number;
  latencies: number[];
}

async function drive(
  label: string,
  url: string,
  deliveries: Delivery[],
  headers: Record<string, string>,
  pid: number | undefined,
): Promise<Figures> {
  const cpu0 = pid ? treeCpuSeconds(pid) : 0;
  const sys0 = pid ? treeCpuSeconds(pid, "sys") : 0;
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
  const cpu = pid ? treeCpuSeconds(pid) - cpu0 : 0;
  const sys = pid ? treeCpuSeconds(pid, "sys") - sys0 : 0;
  return summarize(label, deliveries.length, seconds, latencies, statuses, cpu, sys);
}

function summarize(
  label: string,
  requests: number,
  seconds: number,
  latencies: number[],
  statuses: Record<number, number>,
  cpu: number,
  sys: number,
): Figures {
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { label, requests, seconds, rps: requests / seconds, p50: q(0.5), p99: q(0.99), statuses, cpu, sys, latencies };
}

/** Adds up the rounds of one server. */
function combine(label: string, parts: Figures[]): Figures {
  const statuses: Record<number, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[Number(k)] = (statuses[Number(k)] ?? 0) + v;
  const sum = (f: (p: Figures) => number) => parts.reduce((a, p) => a + f(p), 0);
  return summarize(
    label,
    sum((p) => p.requests),
    sum((p) => p.seconds),
    parts.flatMap((p) => p.latencies),
    statuses,
    sum((p) => p.cpu),
    sum((p) => p.sys),
  );
}

async function startMinimal(): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
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
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

const cpuMs = (f: Figures) => (1000 * f.cpu) / f.requests;
const fmt = (f: Figures) =>
  `${f.label.padEnd(22)} ${String(f.requests).padStart(6)} req  ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(7)} ms  cpu ${cpuMs(f).toFixed(2)} ms/req (kernel ${((1000 * f.sys) / f.requests).toFixed(2)})  statuses ${JSON.stringify(f.statuses)}`;

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

    const minimalHook = `${minimal.url}/telegram/webhook/1/`;
    const persistHook = `${minimal.url}/persist/1/`;
    const warm = buildDeliveries(WARMUP, 1);
    await drive("warmup platform", hook, warm, headers, worker.pid);
    await drive("warmup minimal", minimalHook, warm, headers, minimal.pid);
    await drive("warmup persist", persistHook, warm, headers, minimal.pid);

    const deliveries = buildDeliveries(N);
    const platformParts: Figures[] = [];
    const baselineParts: Figures[] = [];
    const persistParts: Figures[] = [];
    const size = Math.ceil(N / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const slice = deliveries.slice(r * size, (r + 1) * size);
      const runPlatform = async () => platformParts.push(await drive("platform", hook, slice, headers, worker.pid));
      const runMinimal = async () => baselineParts.push(await drive("minimal", minimalHook, slice, headers, minimal.pid));
      const runPersist = async () => persistParts.push(await drive("persist", persistHook, slice, headers, minimal.pid));
      const order = [runPlatform, runMinimal, runPersist];
      for (let k = 0; k < order.length; k++) await (order[(k + r) % order.length] as () => Promise<number>)();
    }
    const platform = combine("platform (stores all)", platformParts);
    const baseline = combine("minimal Hono 200", baselineParts);
    const persist = combine("minimal + 1 D1 insert", persistParts);

    const unique = new Set(deliveries.map((d) => (JSON.parse(d.body) as { update_id: number }).update_id)).size;
    const [ledger] = worker.sql(
      `SELECT count(*) AS n FROM processed_updates WHERE bot_id = ${bot.id} AND update_id >= 1000000 AND status = 'done'`,
    ) as { n: number }[];
    const [msgs] = worker.sql(
      `SELECT count(*) AS n FROM messages WHERE bot_id = ${bot.id} AND direction = 'in' AND update_id >= 1000000`,
    ) as { n: number }[];

    console.log(`\nwebhook benchmark: ${N} deliveries, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds, node ${process.version}`);
    console.log(fmt(platform));
    console.log(fmt(baseline));
    console.log(fmt(persist));
    console.log(
      `per round (platform / minimal req/s): ${platformParts.map((p, i) => (p.rps / (baselineParts[i] as Figures).rps).toFixed(2)).join(" ")}`,
    );
    console.log(`ratio (platform / minimal throughput): ${(platform.rps / baseline.rps).toFixed(2)}`);
    console.log(
      `reference (minimal + 1 D1 insert / minimal throughput): ${(persist.rps / baseline.rps).toFixed(2)}; platform / that: ${(platform.rps / persist.rps).toFixed(2)}`,
    );
    console.log(
      `cpu per delivery (server processes; wrangler's proxy and workerd): platform ${cpuMs(platform).toFixed(2)} ms, minimal ${cpuMs(baseline).toFixed(2)} ms, ratio ${(cpuMs(baseline) / cpuMs(platform)).toFixed(2)}`,
    );
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
