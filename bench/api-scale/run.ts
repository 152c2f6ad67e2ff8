// `npm run bench:api`: the dashboard stats page, the /api/messages listing and the analytics
// endpoints of a real `wrangler dev` (local D1) holding 10,000 and then 1,000,000 messages
// (dataset.ts), each timed over sequential requests after a warm-up; prints median and p95
// per size, the ratio largest/smallest per endpoint (goal <= 1.5), the bare SQL time of each
// endpoint's heaviest query, the query plans of the endpoints over the goal, and the bytes
// per stored message (dbstat on the database file).
//
//   npx tsx bench/api-scale/run.ts [--sizes=10000,1000000] [--runs=30]
import { startWorker } from "../../tests/helpers/wrangler-dev";
import { CHATS, DAYS, seedSql } from "./dataset";
import { endpoints } from "./endpoints";
import { d1File, fileBytes, SqliteFile } from "./sqlite-file";
import { AUTH, type Timing, timeRequests } from "./timing";

const arg = (name: string, fallback: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const sizes = arg("sizes", "10000,1000000").split(",").map(Number);
const runs = Number(arg("runs", "30"));
// After the largest size: create these indexes (in the bench's throwaway database only) and
// time the endpoints over the goal again, to show what the missing index is worth.
const tryIndexes = !process.argv.includes("--no-index-trial");
export const PROPOSED_INDEXES = [
  "CREATE INDEX IF NOT EXISTS messages_bot_id_idx ON messages (bot_id, id)",
  "CREATE INDEX IF NOT EXISTS messages_bot_chat_id_idx ON messages (bot_id, chat_id, id)",
  "CREATE INDEX IF NOT EXISTS messages_bot_kind_id_idx ON messages (bot_id, kind, id)",
  "CREATE INDEX IF NOT EXISTS chat_user_daily_bot_day_idx ON chat_user_daily (bot_id, day, user_id, messages)",
];
const GOAL = 1.5;
// What a bot's analytics read (filled from the chat rollups by the triggers of migration 0003).
const BOT_ROLLUPS = ["bot_daily_activity", "bot_hourly_activity", "bot_user_days", "bot_user_activity"];
const f = (n: number, d = 1) => n.toFixed(d);
const mb = (n: number) => `${f(n / 1e6)} MB`;

interface SizeResult {
  size: number;
  seedSeconds: number;
  timings: Timing[];
  sqlMs: number[];
  plans: string[][];
  /** With PROPOSED_INDEXES (largest size only): endpoint index -> timing, bare SQL ms, plan. */
  withIndexes?: Map<number, { t: Timing; sqlMs: number; plan: string[] }>;
  rows: Record<string, number>;
  fileBytes: number;
  bytes: { name: string; bytes: number }[];
}

const eps = endpoints();
const results: SizeResult[] = [];
console.log(
  `api-scale: ${CHATS} chats, ${DAYS} days, sizes ${sizes.join(", ")} messages; ${runs} sequential requests per endpoint after 3 warm-ups`,
);
for (const size of sizes) {
  const t0 = performance.now();
  const w = await startWorker({ seedSql: seedSql(size), timeoutMs: 120_000 });
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`\n== ${size} messages: seeded (wrangler d1 execute) and started wrangler dev in ${f(seedSeconds)} s`);
  const file = new SqliteFile(d1File(w.stateDir));
  try {
    const rows: Record<string, number> = {};
    for (const t of [
      "messages",
      "chats",
      "tg_users",
      "chat_daily_activity",
      "chat_user_daily",
      "chat_hourly_activity",
      "chat_snapshots",
      ...BOT_ROLLUPS,
    ])
      rows[t] = file.count(t);
    console.log(
      `rows: ${Object.entries(rows)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    const timings: Timing[] = [];
    const sqlMs: number[] = [];
    for (const ep of eps) {
      const t = await timeRequests(`${w.url}${ep.path}`, runs);
      const s = file.time(ep.sql);
      timings.push(t);
      sqlMs.push(s);
      if (t.error) {
        console.log(`${ep.label.padEnd(26)} FAILED after ${t.runs} timed requests: ${t.error}; sql ${f(s, 2)} ms`);
        console.log(`   wrangler dev output (tail): ${w.logs().slice(-600).replace(/\s+/g, " ")}`);
        continue;
      }
      console.log(
        `${ep.label.padEnd(26)} median ${f(t.medianMs, 2).padStart(8)} ms  p95 ${f(t.p95Ms, 2).padStart(8)} ms  (${t.runs} runs, ${t.bytes} B)  sql ${f(s, 2)} ms`,
      );
    }
    // Plans, rows and sizes as the schema stands, before any index trial.
    const plans = eps.map((ep) => file.plan(ep.sql));
    const before = { fileBytes: fileBytes(file.file), bytes: file.bytesByName() };
    let withIndexes: SizeResult["withIndexes"];
    const overGoal = results[0]
      ? eps.map((_, i) => i).filter((i) => !(timings[i]!.medianMs / results[0]!.timings[i]!.medianMs <= GOAL))
      : [];
    if (tryIndexes && size === sizes[sizes.length - 1] && overGoal.length) {
      const t1 = performance.now();
      for (const ddl of PROPOSED_INDEXES) w.sql(ddl);
      console.log(`-- created the proposed indexes in ${f((performance.now() - t1) / 1000)} s; timing the endpoints over the goal again`);
      withIndexes = new Map();
      // The first request after a schema change made by another process may fail once; let it.
      await fetch(`${w.url}${eps[0]!.path}`, { headers: AUTH })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      for (const i of overGoal) {
        const t = await timeRequests(`${w.url}${eps[i]!.path}`, runs);
        const s = file.time(eps[i]!.sql);
        withIndexes.set(i, { t, sqlMs: s, plan: file.plan(eps[i]!.sql) });
        console.log(
          `${eps[i]!.label.padEnd(26)} median ${f(t.medianMs, 2).padStart(8)} ms  p95 ${f(t.p95Ms, 2).padStart(8)} ms   sql ${f(s, 2)} ms (with indexes)${t.error ? ` FAILED: ${t.error}` : ""}`,
        );
      }
    }
    results.push({
      withIndexes,
      size,
      seedSeconds,
      timings,
      sqlMs,
      plans,
      rows,
      ...before,
    });
  } finally {
    file.close();
    await w.stop();
  }
}

const small = results[0]!;
const large = results[results.length - 1]!;
const tag = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const ratioName = `${tag(large.size)}/${tag(small.size)}`;
console.log(`\n== Results (median ms / p95 ms over ${runs} requests; "sql" = the bare heaviest query on the file, node:sqlite)`);
console.log(
  `${"endpoint".padEnd(26)}${`${tag(small.size)} med/p95`.padStart(18)}${`${tag(large.size)} med/p95`.padStart(18)}${ratioName.padStart(9)}` +
    `${`sql ${tag(small.size)}`.padStart(11)}${`sql ${tag(large.size)}`.padStart(11)}  goal <= ${GOAL}`,
);
const over: number[] = [];
eps.forEach((ep, i) => {
  const a = small.timings[i]!;
  const b = large.timings[i]!;
  const ratio = b.medianMs / a.medianMs;
  if (!(ratio <= GOAL)) over.push(i);
  console.log(
    `${ep.label.padEnd(26)}${`${f(a.medianMs)} / ${f(a.p95Ms)}`.padStart(18)}${`${f(b.medianMs)} / ${f(b.p95Ms)}`.padStart(18)}${f(ratio, 2).padStart(9)}` +
      `${f(small.sqlMs[i]!, 2).padStart(11)}${f(large.sqlMs[i]!, 2).padStart(11)}  ${ratio <= GOAL ? "ok" : b.error ? "FAILED" : "OVER"}`,
  );
});
for (const t of ["messages", "chat_user_daily", "chat_daily_activity", "chat_hourly_activity", ...BOT_ROLLUPS]) {
  console.log(`rows ${t}: ${small.rows[t]} -> ${large.rows[t]} (${f(large.rows[t]! / Math.max(1, small.rows[t]!), 1)}x)`);
}

if (over.length) {
  console.log(`\n== Query plans at ${tag(large.size)} of the endpoints over the goal`);
  for (const i of over) {
    console.log(`-- ${eps[i]!.label}: ${eps[i]!.sql}`);
    for (const line of large.plans[i]!) console.log(`   ${line}`);
    const w = large.withIndexes?.get(i);
    if (w) {
      console.log(
        `   with the proposed indexes: median ${f(w.t.medianMs)} ms (ratio ${f(w.t.medianMs / small.timings[i]!.medianMs, 2)}), sql ${f(w.sqlMs, 2)} ms, plan:`,
      );
      for (const line of w.plan) console.log(`     ${line}`);
    }
  }
  if (large.withIndexes) console.log(`proposed indexes:\n  ${PROPOSED_INDEXES.join(";\n  ")};`);
}

console.log(`\n== Storage at ${tag(large.size)} messages (dbstat pages of the local D1 file)`);
const msgBytes = large.bytes.filter((b) => b.name === "messages" || b.name.startsWith("messages_")).reduce((n, b) => n + b.bytes, 0);
const table = large.bytes.find((b) => b.name === "messages")?.bytes ?? 0;
console.log(`database file ${mb(large.fileBytes)} (${f(large.fileBytes / large.rows.messages!, 0)} B per message, everything included)`);
console.log(
  `messages table ${mb(table)} = ${f(table / large.rows.messages!, 0)} B per row; with its 5 indexes ${mb(msgBytes)} = ${f(msgBytes / large.rows.messages!, 0)} B per row`,
);
for (const b of large.bytes.slice(0, 14)) console.log(`  ${b.name.padEnd(40)} ${mb(b.bytes).padStart(10)}`);
