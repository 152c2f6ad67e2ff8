// `npm run bench:stats`: the collector at 1,000 chats against a fake Bot API with a fixed
// latency, then the analytics endpoints at ~10,000 and ~1,000,000 stored messages.
// Options: --chats=1000 --latency=30 --transport=http|fetch --fake-inline --runs=15 --skip-analytics --no-messages (rollups only)
import { availableParallelism, loadavg } from "node:os";
import { MAX_CONCURRENCY } from "../../src/stats/call-meter";
import { benchAnalytics, SCENARIOS } from "./analytics";
import { benchCollector } from "./collector";
import type { Transport } from "./transport";

const arg = (name: string, fallback: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split("=")[1]) : fallback;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const f = (n: number, d = 1) => n.toFixed(d);

const chats = arg("chats", 1000);
const latency = arg("latency", 30);
const transportArg = process.argv.find((x) => x.startsWith("--transport="))?.split("=")[1] ?? "http";
if (transportArg !== "http" && transportArg !== "fetch") throw new Error("--transport must be http or fetch");
const transport: Transport = transportArg;
const fakeThread = !flag("fake-inline");
console.log(
  `\n== Collector: ${chats} chats, fake Bot API at ${latency} ms per call (${fakeThread ? "own thread" : "same thread"}), ` +
    `at most ${MAX_CONCURRENCY} connections (pacing off), transport ${transport}`,
);
console.log(
  `load average before: ${loadavg()
    .map((x) => f(x, 2))
    .join(" ")} on ${availableParallelism()} cores`,
);
const c = await benchCollector(chats, latency, { transport, fakeThread });
for (const r of [c.first, c.steady]) {
  console.log(`-- ${r.label}`);
  console.log(
    `calls            ${r.calls} counted by the fake Bot API (meter ${r.meterCalls}, expected ${r.expectedCalls}), ` +
      `${f(r.callsPerChat, 2)} per chat, ${r.errors} errors, bot role in ${r.rolesKnown} results`,
  );
  console.log(`wall time        ${f(r.wallMs / 1000, 2)} s`);
  console.log(
    `bound            ${f(r.boundMs / 1000, 2)} s  (calls x latency / connections = ${r.calls} x ${latency} ms / ${MAX_CONCURRENCY})`,
  );
  console.log(`wall / bound     ${f(r.ratio, 3)}`);
  console.log(`peak connections ${r.peakConnections} (limit ${MAX_CONCURRENCY})`);
}
const judge = (ok: boolean) => (ok ? "met" : "NOT met");
console.log(
  `goal calls/chat <= 3.1, judged on the steady state (every later collection): ${f(c.steady.callsPerChat, 2)}, ${judge(c.steady.callsPerChat <= 3.1)}` +
    ` (the first collection of a bot with no role known: ${f(c.first.callsPerChat, 2)})`,
);
const worst = Math.max(c.first.ratio, c.steady.ratio);
console.log(`goal wall/bound <= 1.25, judged on both collections: worst ${f(worst, 3)}, ${judge(worst <= 1.25)}`);
console.log(
  `load average after: ${loadavg()
    .map((x) => f(x, 2))
    .join(" ")}`,
);
console.log(`(in the Worker, pacing at 30 calls/s adds a floor of calls / 30 = ${f(c.steady.calls / 30)} s for the steady state)`);

if (flag("skip-analytics")) {
  console.log("\n== Analytics: skipped (--skip-analytics)");
} else {
  console.log("\n== Analytics endpoints (wrangler dev, local D1), median of the runs, whole bot over 100 days");
  const a = await benchAnalytics({ runs: arg("runs", 15), withMessages: !flag("no-messages"), log: (s) => console.log(s) });
  for (const s of a.sizes) {
    console.log(
      `${s.label.padEnd(14)} bot ${s.botId}: ${s.rollupMessages} messages in rollups, ${s.storedMessages} rows in messages; ` +
        `rollup rows: daily ${s.dailyRows}, user-daily ${s.userDailyRows}, hourly ${s.hourlyRows}`,
    );
  }
  const [base, ...others] = SCENARIOS;
  const head = SCENARIOS.map((x) => x.label.padStart(15)).join("") + others.map((x) => `${x.label}/10k`.padStart(18)).join("");
  console.log(`\n${"endpoint".padEnd(14)}${head}`);
  for (const t of a.timings) {
    const x = t.medianMs[base!.botId]!;
    const cols = SCENARIOS.map((sc) => `${f(t.medianMs[sc.botId]!, 2)} ms`.padStart(15)).join("");
    const ratios = others.map((sc) => f(t.medianMs[sc.botId]! / x, 2).padStart(18)).join("");
    console.log(`${t.endpoint.padEnd(14)}${cols}${ratios}`);
  }
  const [s0, ...rest] = a.sizes;
  for (const s of rest) {
    console.log(
      `${s.label}: messages ${f(s.rollupMessages / s0!.rollupMessages, 0)}x, user-daily rollup rows ${f(s.userDailyRows / s0!.userDailyRows, 0)}x, ` +
        `daily and hourly rollup rows ${f(s.dailyRows / s0!.dailyRows, 0)}x of 10k`,
    );
  }
}
