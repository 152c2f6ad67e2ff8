// Webhook benchmark. The load comes from wrk (C, cheap: a Node driver on these 2 cores
// measured itself, ~330 req/s against ~1,100 for the same empty Worker under wrk), with a Lua
// script (updates.lua) that makes every request a new update: unique update_id across wrk's
// threads and runs, one in five a /start from one of ~5,000 users, the rest plain text.
// Three servers, each its own `wrangler dev`, measured one at a time in rounds that rotate
// their order (a change in the machine's load weighs on all alike):
//   - the platform (startWorker(): migrations, test secrets, replies going to a fake Bot API
//     on its own thread);
//   - a minimal Hono Worker answering 200 (minimal-worker.ts): the ceiling;
//   - a Worker that makes one durable write per delivery into a Durable Object's SQLite via
//     RPC before answering (one-write-worker.ts): the least a store-then-answer design pays.
// Figures:
//   - accept: requests answered 2xx per second, from wrk;
//   - end to end (platform): updates fully handled per second, from wrk's start until the
//     status endpoint's counters.updates_done covers every update the inbox received and
//     inbox.depth is 0 (the minimal Workers do nothing after answering: theirs is accept);
//   - p50/p99 accept latency: wrk's, pooled over the rounds from its quantiles;
//   - reply latency: a Node probe posts /start updates with its own chat ids and the fake Bot
//     API stamps when each one's sendMessage arrives; reply latency is that minus the moment
//     the probe had the accept answer. At light load: one at a time, nothing else running.
//     At saturating load: one every --probe-every ms while wrk runs (the probe also runs
//     against the minimal Workers, so each server gets the same extra load). The light-load
//     probe runs in blocks that take turns between the servers (the baselines only answer).
//   - with --before <git ref>: the platform as of that commit (git archive into a temporary
//     directory, node_modules linked) gets the same light-load probe, for the reply latency
//     goal "no worse than before". A design that replied before answering has no accept-to-
//     reply figure, so the comparable one is request sent -> sendMessage at the fake.
//
//   - with --ref <git ref>: the platform measured is that commit (git archive, as --before)
//     rather than the working tree, which wrangler dev would reload under the bench whenever
//     someone edits src/ in this checkout.
//
//   npx tsx bench/webhook/run.ts [--duration 20] [--connections 16] [--threads 2] [--rounds 3]
//     [--warmup 3] [--light 50] [--probe-every 100] [--before 328e47d] [--ref HEAD]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { freePort, startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";
import { treeCpuSeconds } from "./cpu";
import { type FakeBotApi, nowMs, startFakeBotApi } from "./fake-bot-api";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "16" },
    threads: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "3" },
    light: { type: "string", default: "50" },
    "probe-every": { type: "string", default: "100" },
    before: { type: "string" },
    ref: { type: "string" },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const THREADS = Number(values.threads);
const ROUNDS = Math.max(1, Number(values.rounds));
const WARMUP = Number(values.warmup);
const LIGHT = Number(values.light);
const PROBE_EVERY = Number(values["probe-every"]);
const WRK_TIMEOUT_S = 10;
const DRAIN_POLL_MS = 100;
const DRAIN_TIMEOUT_MS = 15 * 60_000;

const root = resolve(import.meta.dirname, "../..");
const here = import.meta.dirname;
/** The probe's updates: ids and chats of their own, far from wrk's (ids < 10^9, users 100,000-104,999). */
const PROBE_ID_BASE = 1_900_000_000;
const PROBE_CHAT_BASE = 900_000_000;
/** wrk's update ids: BENCH_BASE = phase * 10^8 (+ thread * 10^7 + counter, see updates.lua). */
const phaseBase = (phase: number) => phase * 100_000_000;

type Kind = "platform" | "minimal" | "one-write" | "before";
const LABEL: Record<Kind, string> = {
  platform: "platform",
  minimal: "minimal Hono 200",
  "one-write": "one DO SQLite write (RPC)",
  before: `platform at ${values.before ?? "?"}`,
};

interface Server {
  kind: Kind;
  hook: string;
  secret: string;
  pid: number | undefined;
  /** Platform only: the bot's inbox counters. */
  status?: () => Promise<InboxStatus>;
  stop(): Promise<void>;
}

interface InboxStatus {
  received: number;
  done: number;
  duplicates: number;
  depth: number;
  deadLetters: number;
  lastError: unknown;
  /** The coordinator's drain since it started: group commits, updates stored and handled, runs handed over. */
  drain?: { commits: number; stored: number; handled: number; handovers: number };
  /** When the answer was in (epoch ms). */
  at: number;
}

// ---------------------------------------------------------------------------------------
// Servers

async function startWrangler(config: string, name: string): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), `tgp-bench-${name}-`));
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--config",
      join(here, config),
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
    { cwd: root, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d) => {
    if (output.length < 100_000) output += d;
  });
  child.stderr?.on("data", (d) => {
    if (output.length < 100_000) output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} worker exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 240) throw new Error(`${name} worker did not start:\n${output}`);
    await sleep(250);
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}

type Helper = { startWorker: typeof startWorker; TEST_SECRETS: typeof TEST_SECRETS };

async function startPlatform(api: FakeBotApi, helper: Helper = { startWorker, TEST_SECRETS }, kind: Kind = "platform"): Promise<Server> {
  const worker = await helper.startWorker({ vars: { TELEGRAM_API_BASE: api.url, PUBLIC_BASE_URL: "https://bench.invalid" } });
  try {
    const auth = { authorization: `Bearer ${helper.TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" };
    const token = `424242:AAE${"b".repeat(32)}`;
    const created = await fetch(`${worker.url}/api/bots`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "bench", token }),
    });
    if (created.status !== 201) throw new Error(`bot create failed: ${created.status} ${await created.text()}`);
    const bot = (await created.json()) as { id: number };
    const set = await fetch(`${worker.url}/telegram/webhook/${bot.id}/set/`, { method: "POST", headers: auth, body: "{}" });
    if (!set.ok) throw new Error(`webhook set failed: ${set.status} ${await set.text()}`);
    let secret = api.secretFor(token);
    for (let i = 0; !secret && i < 50; i++) {
      await sleep(20); // the fake's thread reports it by message
      secret = api.secretFor(token);
    }
    if (!secret) throw new Error("no secret recorded by the fake Bot API");
    const statusUrl = `${worker.url}/telegram/bot/${bot.id}/status/`;
    const status = async (): Promise<InboxStatus> => {
      const res = await fetch(statusUrl, { headers: { authorization: auth.authorization } });
      const j = (await res.json()) as {
        counters?: { updates_received: number; updates_done: number; duplicates: number };
        inbox?: {
          ok: boolean;
          depth: number;
          dead_letters: number;
          last_error: unknown;
          error?: string;
          drain?: InboxStatus["drain"];
        };
      };
      if (!res.ok || !j.counters || !j.inbox?.ok) throw new Error(`status failed: ${res.status} ${JSON.stringify(j).slice(0, 300)}`);
      return {
        received: j.counters.updates_received,
        done: j.counters.updates_done,
        duplicates: j.counters.duplicates,
        depth: j.inbox.depth,
        deadLetters: j.inbox.dead_letters,
        lastError: j.inbox.last_error,
        drain: j.inbox.drain,
        at: nowMs(),
      };
    };
    const hook = `${worker.url}/telegram/webhook/${bot.id}/`;
    if (kind !== "platform") return { kind, hook, secret, pid: worker.pid, stop: () => worker.stop() };
    return { kind, hook, secret, pid: worker.pid, status, stop: () => worker.stop() };
  } catch (err) {
    await worker.stop();
    throw err;
  }
}

async function startBaseline(kind: "minimal" | "one-write"): Promise<Server> {
  const w = await startWrangler(kind === "minimal" ? "minimal.wrangler.toml" : "one-write.wrangler.toml", kind);
  return { kind, hook: `${w.url}/telegram/webhook/1/`, secret: "not-checked", pid: w.pid, stop: w.stop };
}

/** The platform as of a commit, from `git archive` (read-only on the repository). */
async function startSnapshot(api: FakeBotApi, ref: string, kind: "platform" | "before"): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "tgp-bench-before-"));
  const r = spawnSync("bash", ["-c", `git -C '${root}' archive '${ref}' | tar -x -C '${dir}'`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git archive ${ref} failed: ${r.stderr}`);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  const helper = (await import(pathToFileURL(join(dir, "tests/helpers/wrangler-dev.ts")).href)) as Helper;
  const s = await startPlatform(api, helper, kind);
  return {
    ...s,
    stop: async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------
// wrk

interface WrkRun {
  requests: number;
  ok: number;
  seconds: number;
  errors: { status: number; connect: number; read: number; write: number; timeout: number };
  /** [percent, microseconds] */
  quantiles: [number, number][];
  /** CPU seconds wrk itself used (user + system). */
  cpu: number;
  command: string;
}

function wrkCommand(url: string, seconds: number): string[] {
  return [
    "wrk",
    `-t${THREADS}`,
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    `--timeout`,
    `${WRK_TIMEOUT_S}s`,
    "-s",
    join(here, "updates.lua"),
    url,
  ];
}

async function runWrk(server: Server, base: number, seconds: number): Promise<WrkRun> {
  const cmd = wrkCommand(server.hook, seconds);
  // bash's `times` prints the children's user and system CPU time after wrk exits.
  const child = spawn("bash", ["-c", `${cmd.map((a) => `'${a}'`).join(" ")}; s=$?; times; exit $s`], {
    env: { ...process.env, BENCH_BASE: String(base), BENCH_SECRET: server.secret },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  const line = out.split("\n").find((l) => l.startsWith("BENCH "));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${out}\n${err}`);
  const j = JSON.parse(line.slice(6)) as {
    requests: number;
    duration_us: number;
    status_errors: number;
    connect: number;
    read: number;
    write: number;
    timeout: number;
    quantiles: [number, number][];
  };
  // `times` prints two lines: the shell's own, then its children's ("0m0.123s 0m0.045s").
  const tl = out.trim().split("\n").slice(-1)[0] ?? "";
  const cpu = [...tl.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
  return {
    requests: j.requests,
    ok: j.requests - j.status_errors,
    seconds: j.duration_us / 1e6,
    errors: { status: j.status_errors, connect: j.connect, read: j.read, write: j.write, timeout: j.timeout },
    quantiles: j.quantiles,
    cpu,
    command: `BENCH_BASE=${base} BENCH_SECRET=<secret> ${cmd.join(" ").replace(`${root}/`, "")}`,
  };
}

/** The p-th percentile (0-100) of several runs' latencies together, from each run's quantiles weighted by its count. */
function pooled(runs: { n: number; quantiles: [number, number][] }[], p: number): number {
  const total = runs.reduce((a, r) => a + r.n, 0);
  const values = [...new Set(runs.flatMap((r) => r.quantiles.map((q) => q[1])))].sort((a, b) => a - b);
  for (const v of values) {
    let below = 0;
    for (const r of runs) {
      let f = 0;
      for (const [q, x] of r.quantiles) if (x <= v) f = q;
      below += (r.n * f) / 100;
    }
    if (below >= (p / 100) * total - 1e-9) return v;
  }
  return values[values.length - 1] ?? 0;
}

// ---------------------------------------------------------------------------------------
// The reply probe

interface ProbeSample {
  chatId: number;
  sent: number;
  answered: number;
  status: number;
  duplicate: boolean;
}

let probeCount = 0;
function probeUpdate(): { chatId: number; body: string } {
  const k = probeCount++;
  const chatId = PROBE_CHAT_BASE + k;
  const body = JSON.stringify({
    update_id: PROBE_ID_BASE + k,
    message: {
      message_id: k + 1,
      from: { id: chatId, is_bot: false, first_name: "Probe", last_name: String(k), language_code: "en" },
      chat: { id: chatId, first_name: "Probe", last_name: String(k), type: "private" },
      date: Math.floor(Date.now() / 1000),
      text: "/start",
      entities: [{ offset: 0, length: 6, type: "bot_command" }],
    },
  });
  return { chatId, body };
}

async function postProbe(server: Server): Promise<ProbeSample> {
  const { chatId, body } = probeUpdate();
  const sent = nowMs();
  const res = await fetch(server.hook, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": server.secret },
    body,
  });
  const text = await res.text();
  return { chatId, sent, answered: nowMs(), status: res.status, duplicate: text.includes('"duplicate"') };
}

/** One /start every `everyMs` until stopped; answers the samples (their requests all finished). */
function startSaturatedProbe(server: Server, everyMs: number): { stop: () => Promise<ProbeSample[]> } {
  const pending: Promise<ProbeSample | undefined>[] = [];
  const timer = setInterval(() => {
    pending.push(postProbe(server).catch(() => undefined));
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      return (await Promise.all(pending)).filter((s): s is ProbeSample => s !== undefined);
    },
  };
}

interface ReplyFigures {
  n: number;
  missing: number;
  /** accept answer -> sendMessage arrival */
  afterAnswer: number[];
  /** request sent -> sendMessage arrival */
  afterSend: number[];
  accept: number[];
}

async function replies(api: FakeBotApi, samples: ProbeSample[], graceMs: number): Promise<ReplyFigures> {
  const out: ReplyFigures = { n: samples.length, missing: 0, afterAnswer: [], afterSend: [], accept: [] };
  const deadline = Date.now() + graceMs;
  for (const s of samples) {
    out.accept.push(s.answered - s.sent);
    const a = await api.waitArrival(s.chatId, Math.max(0, deadline - Date.now()));
    if (!a || s.status !== 200) {
      out.missing++;
      continue;
    }
    out.afterAnswer.push(a.at - s.answered);
    out.afterSend.push(a.at - s.sent);
  }
  return out;
}

/** One /start at a time; waits for each reply when the server sends one. */
async function lightProbe(api: FakeBotApi, server: Server, n: number, out: ProbeSample[]): Promise<void> {
  const replies = server.kind === "platform" || server.kind === "before";
  for (let i = 0; i < n; i++) {
    const s = await postProbe(server);
    out.push(s);
    if (replies) await api.waitArrival(s.chatId, 10_000);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------
// Rounds

interface Round {
  kind: Kind;
  round: number;
  wrk: WrkRun;
  /** Accept: 2xx answers per second (wrk's count and duration). */
  acceptRps: number;
  /** End to end: updates handled per second, wrk's start to the last one handled. */
  e2eRps: number;
  e2eSeconds: number;
  /** Platform: what the inbox counted during the round (wrk's and the probe's updates). */
  received?: number;
  done?: number;
  duplicates?: number;
  deadLetters?: number;
  /** The server's processes' CPU seconds over the round (its drain tail included). */
  cpu: number;
  /** The other servers' CPU seconds during the round (they should be idle). */
  othersCpu: number;
  probe: ProbeSample[];
  replies?: ReplyFigures;
}

async function waitDrained(server: Server, startedDone: number): Promise<InboxStatus> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const s = await (server.status as () => Promise<InboxStatus>)();
    if (s.depth === 0 && s.done >= s.received && s.done >= startedDone) return s;
    if (Date.now() > deadline) throw new Error(`the inbox did not drain: ${JSON.stringify(s)}`);
    await sleep(DRAIN_POLL_MS);
  }
}

async function measure(api: FakeBotApi, server: Server, others: Server[], round: number, base: number, seconds: number): Promise<Round> {
  const before = server.status ? await server.status() : undefined;
  const cpu0 = server.pid ? treeCpuSeconds(server.pid) : 0;
  const othersCpu0 = others.reduce((a, o) => a + (o.pid ? treeCpuSeconds(o.pid) : 0), 0);
  const t0 = nowMs();
  const probe = PROBE_EVERY > 0 ? startSaturatedProbe(server, PROBE_EVERY) : undefined;
  const wrk = await runWrk(server, base, seconds);
  const samples = (await probe?.stop()) ?? [];
  const r: Round = {
    kind: server.kind,
    round,
    wrk,
    acceptRps: wrk.ok / wrk.seconds,
    e2eRps: (wrk.ok + samples.filter((p) => p.status === 200).length) / wrk.seconds,
    e2eSeconds: wrk.seconds,
    cpu: 0,
    othersCpu: 0,
    probe: samples,
  };
  if (server.status && before) {
    const after = await waitDrained(server, before.done);
    r.received = after.received - before.received;
    r.done = after.done - before.done;
    r.duplicates = after.duplicates - before.duplicates;
    r.deadLetters = after.deadLetters - before.deadLetters;
    r.e2eSeconds = (after.at - t0) / 1000;
    r.e2eRps = r.done / r.e2eSeconds;
    r.replies = await replies(api, samples, 2000);
  }
  r.cpu = server.pid ? treeCpuSeconds(server.pid) - cpu0 : 0;
  r.othersCpu = others.reduce((a, o) => a + (o.pid ? treeCpuSeconds(o.pid) : 0), 0) - othersCpu0;
  return r;
}

// ---------------------------------------------------------------------------------------
// Printing

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : Number.NaN;
};
const ms = (x: number, d = 1) => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : "n/a");
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const check = (ok: boolean) => (ok ? "met" : "NOT met");
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
const uptimeLine = () => spawnSync("uptime", { encoding: "utf8" }).stdout.trim();
const revParse = (ref: string) => spawnSync("git", ["-C", root, "rev-parse", "--short", ref], { encoding: "utf8" }).stdout.trim();
const dirty = () =>
  spawnSync("git", ["-C", root, "status", "--porcelain", "src", "migrations", "wrangler.toml"], { encoding: "utf8" }).stdout.trim() !== "";

interface Totals {
  kind: Kind;
  ok: number;
  wrkSeconds: number;
  accept: number;
  e2e: number;
  handled: number;
  e2eSeconds: number;
  p50: number;
  p90: number;
  p99: number;
  cpuPerUpdate: number;
  wrkCpu: number;
  errors: string;
}

function totals(kind: Kind, rounds: Round[]): Totals {
  const rs = rounds.filter((r) => r.kind === kind);
  const sum = (f: (r: Round) => number) => rs.reduce((a, r) => a + f(r), 0);
  const ok = sum((r) => r.wrk.ok);
  const wrkSeconds = sum((r) => r.wrk.seconds);
  // End to end counts every update a server finished in its rounds, the probe's included: the
  // platform's inbox done count; for the baselines, whatever they answered 2xx.
  const handled = kind === "platform" ? sum((r) => r.done ?? 0) : ok + sum((r) => r.probe.filter((p) => p.status === 200).length);
  const e2eSeconds = kind === "platform" ? sum((r) => r.e2eSeconds) : wrkSeconds;
  const runs = rs.map((r) => ({ n: r.wrk.requests, quantiles: r.wrk.quantiles }));
  const e = (k: keyof WrkRun["errors"]) => sum((r) => r.wrk.errors[k]);
  const errs = (["status", "connect", "read", "write", "timeout"] as const).filter((k) => e(k) > 0).map((k) => `${k} ${e(k)}`);
  return {
    kind,
    ok,
    wrkSeconds,
    accept: ok / wrkSeconds,
    e2e: handled / e2eSeconds,
    handled,
    e2eSeconds,
    p50: pooled(runs, 50) / 1000,
    p90: pooled(runs, 90) / 1000,
    p99: pooled(runs, 99) / 1000,
    cpuPerUpdate: (1000 * sum((r) => r.cpu)) / Math.max(1, handled),
    wrkCpu: sum((r) => r.wrk.cpu),
    errors: errs.length ? errs.join(", ") : "none",
  };
}

// ---------------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date();
  const uptimeBefore = uptimeLine();
  const argv = process.argv.slice(2).join(" ");
  const wrkVersion = spawnSync("wrk", ["-v"], { encoding: "utf8" });
  if (wrkVersion.error) throw new Error("wrk is not installed: apt-get update && apt-get install -y wrk");
  // Refs resolved once, at the start: HEAD may move while the bench runs.
  const platformSha = values.ref ? revParse(values.ref) : undefined;
  const beforeSha = values.before ? revParse(values.before) : undefined;
  if ((values.ref && !platformSha) || (values.before && !beforeSha)) throw new Error("unknown git ref");
  const treeHead = revParse("HEAD");
  const treeDirty = dirty();
  const api = await startFakeBotApi({ thread: true, watchFrom: PROBE_CHAT_BASE });
  const servers: Server[] = [];
  let before: Server | undefined;
  try {
    console.error("starting the servers (platform, minimal, one-write) ...");
    servers.push(platformSha ? await startSnapshot(api, platformSha, "platform") : await startPlatform(api));
    servers.push(await startBaseline("minimal"));
    servers.push(await startBaseline("one-write"));
    before = beforeSha ? await startSnapshot(api, beforeSha, "before") : undefined;
    const all = [...servers, ...(before ? [before] : [])];
    const othersOf = (s: Server) => all.filter((o) => o !== s);

    // Warm-up: each server in turn, then the platform's inbox drained.
    const warmOk = new Map<Kind, number>();
    for (const s of servers) {
      console.error(`warm-up ${LABEL[s.kind]} (${WARMUP} s)`);
      for (let i = 0; i < 5; i++) await postProbe(s);
      warmOk.set(s.kind, (await runWrk(s, phaseBase(0), WARMUP)).ok);
      if (s.status) await waitDrained(s, 0);
    }
    await sleep(500);

    if (before) {
      for (let i = 0; i < 5; i++) await postProbe(before);
      await runWrk(before, phaseBase(0), WARMUP);
    }

    const lightSet = [...servers, ...(before ? [before] : [])];
    console.error(
      `light-load probe: ${LIGHT} /start per server, one at a time, in blocks taking turns (${lightSet.map((s) => LABEL[s.kind]).join(", ")})`,
    );
    const lightSamples = new Map<Kind, ProbeSample[]>(lightSet.map((s) => [s.kind, []]));
    const BLOCKS = 5;
    for (let b = 0; b < BLOCKS; b++) {
      for (const s of lightSet) await lightProbe(api, s, Math.ceil(LIGHT / BLOCKS), lightSamples.get(s.kind) as ProbeSample[]);
    }
    const light = await replies(api, lightSamples.get("platform") as ProbeSample[], 1000);
    const lightBefore = before ? await replies(api, lightSamples.get("before") as ProbeSample[], 1000) : undefined;
    const lightAccept = (k: Kind) => (lightSamples.get(k) ?? []).map((s) => s.answered - s.sent);
    // The baselines' probe requests and their warm-up count as their stored rows (one-write check).
    const oneWriteExtra = (lightSamples.get("one-write")?.length ?? 0) + 5;

    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < servers.length; k++) {
        const s = servers[(k + r) % servers.length] as Server;
        console.error(`round ${r + 1}/${ROUNDS}: ${LABEL[s.kind]} (${DURATION} s${s.status ? " + drain" : ""})`);
        const m = await measure(api, s, othersOf(s), r + 1, phaseBase(r + 1), DURATION);
        rounds.push(m);
        console.error(
          `  accept ${m.acceptRps.toFixed(0)}/s, end to end ${m.e2eRps.toFixed(0)}/s over ${m.e2eSeconds.toFixed(1)} s, ` +
            `p50 ${(pooled([{ n: m.wrk.requests, quantiles: m.wrk.quantiles }], 50) / 1000).toFixed(1)} ms, ` +
            `p99 ${(pooled([{ n: m.wrk.requests, quantiles: m.wrk.quantiles }], 99) / 1000).toFixed(1)} ms`,
        );
        await sleep(500);
      }
    }
    const oneWriteStored = await (async () => {
      const s = servers.find((x) => x.kind === "one-write") as Server;
      try {
        return ((await (await fetch(s.hook.replace(/telegram\/webhook\/1\/$/, "count/1"))).json()) as { stored: number }).stored;
      } catch {
        return undefined;
      }
    })();
    const counts = await api.counts();
    const uptimeAfter = uptimeLine();

    // ------------------------------------------------------------------ report
    const T = Object.fromEntries((["platform", "minimal", "one-write"] as Kind[]).map((k) => [k, totals(k, rounds)])) as Record<
      Kind,
      Totals
    >;
    const P = T.platform;
    const M = T.minimal;
    const W = T["one-write"];
    const satReplies = rounds.filter((r) => r.replies).map((r) => r.replies as ReplyFigures);
    const sat = {
      n: satReplies.reduce((a, r) => a + r.n, 0),
      missing: satReplies.reduce((a, r) => a + r.missing, 0),
      afterAnswer: satReplies.flatMap((r) => r.afterAnswer),
      afterSend: satReplies.flatMap((r) => r.afterSend),
      accept: satReplies.flatMap((r) => r.accept),
    };

    const lines: string[] = [];
    const say = (s = "") => lines.push(s);
    say();
    say(`webhook benchmark, ${startedAt.toISOString()}, node ${process.version}, ${wrkVersion.stdout.split("\n")[0]?.trim()}`);
    say(`command: npx tsx bench/webhook/run.ts ${argv}`.trimEnd());
    say(
      `platform measured: ${platformSha ? `commit ${platformSha} (--ref ${values.ref}, git archive)` : `the working tree (HEAD ${treeHead}${treeDirty ? ", with local changes in src/" : ""})`}` +
        `${beforeSha ? `; before: commit ${beforeSha} (--before ${values.before})` : ""}`,
    );
    say(
      `load: wrk ${wrkCommand("<webhook url>", DURATION)
        .slice(1)
        .join(" ")
        .replace(`${root}/`, "")}, ${ROUNDS} rounds per server in rotating order, ${WARMUP} s warm-up each`,
    );
    say(
      `  (each round: BENCH_BASE=<round * 10^8> makes the update_ids unique; plus one probe /start every ${PROBE_EVERY} ms, on every server alike)`,
    );
    say(`machine before: ${uptimeBefore}`);
    say(`machine after:  ${uptimeAfter}`);
    say();
    say("per round:");
    say(
      `  ${pad("round server", 33)}${lpad("2xx", 7)}${lpad("accept/s", 10)}${lpad("e2e/s", 8)}${lpad("e2e s", 7)}${lpad("p50", 9)}${lpad("p99", 9)}${lpad("cpu s", 7)}${lpad("wrk cpu", 8)}${lpad("idle others cpu", 16)}`,
    );
    for (const r of rounds) {
      const one = [{ n: r.wrk.requests, quantiles: r.wrk.quantiles }];
      say(
        `  ${pad(`${r.round} ${LABEL[r.kind]}`, 33)}${lpad(String(r.wrk.ok), 7)}${lpad(r.acceptRps.toFixed(0), 10)}${lpad(r.e2eRps.toFixed(0), 8)}${lpad(r.e2eSeconds.toFixed(1), 7)}` +
          `${lpad((pooled(one, 50) / 1000).toFixed(1), 9)}${lpad((pooled(one, 99) / 1000).toFixed(1), 9)}${lpad(r.cpu.toFixed(1), 7)}${lpad(r.wrk.cpu.toFixed(2), 8)}${lpad(r.othersCpu.toFixed(2), 16)}`,
      );
    }
    const pr = rounds.filter((r) => r.kind === "platform");
    say(
      `  platform inbox per round: received ${pr.map((r) => r.received).join(" / ")} (wrk 2xx ${pr.map((r) => r.wrk.ok).join(" / ")} + probe ${pr.map((r) => r.probe.length).join(" / ")}), ` +
        `done ${pr.map((r) => r.done).join(" / ")}, duplicates ${pr.map((r) => r.duplicates).join(" / ")}, dead letters ${pr.map((r) => r.deadLetters).join(" / ")}`,
    );
    say();
    say(
      "totals (p50/p99: wrk's accept latency pooled over the rounds; cpu: the server's wrangler+workerd processes per update, its drain included):",
    );
    say(
      `  ${pad("server", 26)}${lpad("accept 2xx/s", 13)}${lpad("end-to-end/s", 14)}${lpad("p50 accept", 12)}${lpad("p90 accept", 12)}${lpad("p99 accept", 12)}${lpad("cpu/update", 12)}  wrk errors`,
    );
    for (const t of [P, M, W]) {
      say(
        `  ${pad(LABEL[t.kind], 26)}${lpad(t.accept.toFixed(0), 13)}${lpad(t.e2e.toFixed(0), 14)}${lpad(ms(t.p50), 12)}${lpad(ms(t.p90), 12)}${lpad(ms(t.p99), 12)}${lpad(ms(t.cpuPerUpdate, 2), 12)}  ${t.errors}`,
      );
    }
    say(
      `  (platform end to end: ${P.handled} updates handled in ${P.e2eSeconds.toFixed(1)} s from wrk's first request to the status poll that saw the inbox empty, polled every ${DRAIN_POLL_MS} ms)`,
    );
    say(`  (wrk used ${(P.wrkCpu + M.wrkCpu + W.wrkCpu).toFixed(1)} CPU s in all, for ${P.ok + M.ok + W.ok} requests)`);
    say();
    say("reply latency (platform; /start from the probe, its own chat each; accept answer -> the fake Bot API has the sendMessage):");
    say(
      `  light load (${light.n} one at a time, nothing else running): p50 ${ms(q(light.afterAnswer, 50))}, p99 ${ms(q(light.afterAnswer, 99))}, missing ${light.missing}; ` +
        `from the request sent: p50 ${ms(q(light.afterSend, 50))}, p99 ${ms(q(light.afterSend, 99))}`,
    );
    say("    (negative: the sendMessage reached the fake before the accept answer reached the probe)");
    if (lightBefore)
      say(
        `  light load, ${LABEL.before} (same probe, taking turns with the others): from the request sent: p50 ${ms(q(lightBefore.afterSend, 50))}, p99 ${ms(q(lightBefore.afterSend, 99))}, ` +
          `missing ${lightBefore.missing}; accept answer to reply: p50 ${ms(q(lightBefore.afterAnswer, 50))}`,
      );
    say(
      `  saturating load (${sat.n} while wrk ran, one every ${PROBE_EVERY} ms): p50 ${ms(q(sat.afterAnswer, 50), 0)}, p99 ${ms(q(sat.afterAnswer, 99), 0)}, missing ${sat.missing}; ` +
        `from the request sent: p50 ${ms(q(sat.afterSend, 50), 0)}, p99 ${ms(q(sat.afterSend, 99), 0)}; accept answer p50 ${ms(q(sat.accept, 50))}`,
    );
    say(
      `  light-load accept answer (request sent -> answer) p50 / p99: ${lightSet.map((s) => `${LABEL[s.kind]} ${ms(q(lightAccept(s.kind), 50))} / ${ms(q(lightAccept(s.kind), 99))}`).join("; ")}`,
    );
    say();
    say("ratios to the minimal Hono Worker, and the goals:");
    const row = (name: string, value: string, goal: string, ok: boolean | undefined) =>
      say(`  ${pad(name, 52)}${lpad(value, 9)}   ${pad(goal, 56)} ${ok === undefined ? "" : check(ok)}`);
    row("end to end (platform / minimal)", `${(P.e2e / M.e2e).toFixed(2)}x`, "goal >= 0.45x", P.e2e / M.e2e >= 0.45);
    row("accept (platform / minimal)", `${(P.accept / M.accept).toFixed(2)}x`, "goal >= 0.55x", P.accept / M.accept >= 0.55);
    row("p99 accept latency (platform / minimal)", `${(P.p99 / M.p99).toFixed(2)}x`, "goal <= 1.5x", P.p99 / M.p99 <= 1.5);
    row(
      "reply latency at light load, p50 (after the answer)",
      ms(q(light.afterAnswer, 50)),
      "goal: no worse than before by more than 5 ms",
      undefined,
    );
    if (lightBefore) {
      const now50 = q(light.afterSend, 50);
      const was50 = q(lightBefore.afterSend, 50);
      row(
        "  the same from the request sent: now - before",
        `${(now50 - was50).toFixed(1)} ms`,
        `(${ms(now50)} now, ${ms(was50)} at ${values.before}) goal <= +5 ms`,
        now50 - was50 <= 5,
      );
    } else say("    (no earlier figure: run with --before <ref> to measure the platform as of that commit beside it)");
    say(
      `  reference: 1 DO write / minimal: accept ${(W.accept / M.accept).toFixed(2)}x, p99 ${(W.p99 / M.p99).toFixed(2)}x (PLATFORM.md: 0.59-0.62x); platform / 1 DO write: accept ${(P.accept / W.accept).toFixed(2)}x, end to end ${(P.e2e / W.e2e).toFixed(2)}x`,
    );
    say(
      `  checks: the one-write Worker stored ${oneWriteStored ?? "?"} updates, answered 2xx ${W.handled + (warmOk.get("one-write") ?? 0) + oneWriteExtra} ` +
        `(the rest: requests in flight when a wrk run stopped, up to ${CONNECTIONS} a run); fake Bot API calls ${JSON.stringify(counts)}`,
    );
    const platformServer = servers.find((x) => x.kind === "platform");
    const d = platformServer?.status ? (await platformServer.status()).drain : undefined;
    say(
      d
        ? `  drain since the coordinator started: ${d.stored} updates stored in ${d.commits} group commits (${(d.stored / Math.max(1, d.commits)).toFixed(1)} per commit), ${d.handled} handled, ${d.handovers} runs handed over to the alarm`
        : "  drain figures: the status endpoint gave none (an older platform)",
    );
    say(`  load average at the end: ${load()}`);
    console.log(lines.join("\n"));
  } finally {
    console.error("stopping the servers ...");
    for (const s of [...servers, ...(before ? [before] : [])].reverse()) await s.stop().catch(() => undefined);
    await api.close();
  }
}

main().then(
  // Exit explicitly: a leftover keep-alive socket or pipe must not keep the bench waiting.
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
