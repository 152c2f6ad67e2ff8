// `npm run bench:csv`: the dashboard's CSV export (GET /studio/social/telegram-stats/export.csv)
// of a bot with 10,000 and then 100,000 chats (each with its latest statistics), each under
// its own `wrangler dev`. While the download streams, the resident memory (VmRSS) of the
// workerd process running the Worker is sampled from /proc; prints its baseline, its peak
// during the export and the growth, per size, and the ratio between the sizes (goal: flat).
// Also time to first byte / first row vs total, to show the export streams.
//
//   npx tsx bench/csv-export/run.ts [--sizes=10000,100000]
import { startWorker } from "../../tests/helpers/wrangler-dev";
import { d1File, SqliteFile } from "../api-scale/sqlite-file";
import { AUTH } from "../api-scale/timing";
import { connectHeap, type HeapClient, inspectorPort } from "./heap";
import { findWorkerPid, readMem, sampleRss } from "./proc";

const arg = (name: string, fallback: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const sizes = arg("sizes", "10000,100000").split(",").map(Number);
const WARMUP_CHATS = 2000;
// The export's page query (chatStatRows in src/routes/pages/stats-queries.ts, keyset on chats.id, 500 a page).
const PAGE_SQL = (afterId: number) =>
  `SELECT chats.id, chats.chat_id, chats.type, chats.title, chats.username, chats.first_name, chats.bot_role, chat_stats.member_count, ` +
  `chat_stats.admin_count, chat_stats.error, chat_stats.collected_at FROM chats LEFT JOIN chat_stats ON chat_stats.bot_id = chats.bot_id ` +
  `AND chat_stats.chat_id = chats.chat_id WHERE chats.bot_id = 1 AND chats.id > ${afterId} ORDER BY chats.id ASC LIMIT 500 OFFSET 0`;
// Tried after the largest size, in the bench's throwaway database only.
const PROPOSED_INDEX = "CREATE INDEX IF NOT EXISTS chats_bot_id_idx ON chats (bot_id, id)";
const f = (n: number, d = 1) => n.toFixed(d);
const mb = (kb: number) => `${f(kb / 1024)} MB`;

const series = (n: number) => `c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${n - 1})`;

/** Bot 1 with `chats` chats and bot 2 (for warm-up) with a few, every chat with its latest statistics. */
function seedSql(chats: number): string {
  const now = Math.floor(Date.now() / 1000);
  const bot = (id: number, n: number) => [
    `INSERT INTO bots (id, name, username, token_ciphertext, token_fingerprint, is_active) VALUES (${id}, 'csv bench ${id}', 'csv_bench_${id}_bot', 'none', 'csv-${id}', 0);`,
    `INSERT INTO chats (bot_id, chat_id, type, title, username, bot_role, first_seen_at, last_seen_at)
       WITH RECURSIVE ${series(n)}
       SELECT ${id}, -1001000000000 - i, CASE i % 3 WHEN 0 THEN 'channel' WHEN 1 THEN 'supergroup' ELSE 'group' END,
              'Chat number ' || i || ', "quoted" title', 'chat_' || i, 'administrator', ${now - 86400}, ${now} FROM c;`,
    `INSERT INTO chat_stats (bot_id, chat_id, result, member_count, admin_count, error, collected_at)
       SELECT bot_id, chat_id, json_object('chat_id', chat_id, 'title', title, 'administrators', json_array()), 100 + id % 5000, 1 + id % 5,
              CASE WHEN id % 50 = 0 THEN '{"kind":"bot_removed","error_code":403,"description":"Forbidden: bot was kicked"}' END, ${now - 600}
       FROM chats WHERE bot_id = ${id};`,
  ];
  return [...bot(1, chats), ...bot(2, WARMUP_CHATS)].join("\n");
}

interface Download {
  status: number;
  bytes: number;
  rows: number;
  headersMs: number;
  firstByteMs: number;
  firstRowMs: number;
  totalMs: number;
}

async function download(url: string): Promise<Download> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: AUTH });
  const headersMs = performance.now() - t0;
  let bytes = 0;
  let lines = 0;
  let firstByteMs = Number.NaN;
  let firstRowMs = Number.NaN;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) lines++;
    if (lines >= 2 && Number.isNaN(firstRowMs)) firstRowMs = performance.now() - t0;
  }
  return { status: res.status, bytes, rows: Math.max(0, lines - 1), headersMs, firstByteMs, firstRowMs, totalMs: performance.now() - t0 };
}

interface Result {
  chats: number;
  baselineKb: number;
  peakKb: number;
  hwmAfterKb: number;
  samples: number;
  d: Download;
  /** V8 heap of the Worker (bytes): after a forced GC before and after the export, and the highest value sampled during it. */
  heap?: { before: number; peak: number; after: number };
}

/** Samples the heap in use every ~20 ms while `work` runs; answers the highest value. */
async function heapPeakDuring<T>(heap: HeapClient, work: Promise<T>): Promise<{ value: T; peak: number }> {
  let done = false;
  let peak = 0;
  const loop = (async () => {
    while (!done) {
      peak = Math.max(peak, await heap.used());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const value = await work;
  done = true;
  await loop;
  return { value, peak };
}

const results: Result[] = [];
for (const chats of sizes) {
  const t0 = performance.now();
  const w = await startWorker({ seedSql: seedSql(chats), timeoutMs: 120_000 });
  try {
    const pid = findWorkerPid(w.stateDir);
    console.log(
      `\n== ${chats} chats: seeded and started wrangler dev in ${f((performance.now() - t0) / 1000)} s; Worker process (workerd) pid ${pid}`,
    );
    // Warm-up: the first requests compile the Worker's code paths and size V8's heap.
    for (let i = 0; i < 3; i++) await download(`${w.url}/studio/social/telegram-stats/export.csv?bot_id=2`);
    await new Promise((r) => setTimeout(r, 500));
    const heap = await connectHeap(inspectorPort(w.stateDir)).catch((err: Error) => {
      console.log(`V8 heap: unavailable (${err.message})`);
      return undefined;
    });
    const heapBefore = heap ? await heap.usedAfterGc() : 0;
    const before = readMem(pid);
    const sampler = sampleRss(pid);
    const exported = download(`${w.url}/studio/social/telegram-stats/export.csv?bot_id=1`);
    const { value: d, peak: heapPeak } = heap ? await heapPeakDuring(heap, exported) : { value: await exported, peak: 0 };
    const { peakKb, samples } = sampler.stop();
    const after = readMem(pid);
    if (d.status !== 200 || d.rows !== chats) throw new Error(`export answered ${d.status} with ${d.rows} rows, expected ${chats}`);
    const r: Result = { chats, baselineKb: before.rssKb, peakKb, hwmAfterKb: after.hwmKb, samples, d };
    if (heap) {
      r.heap = { before: heapBefore, peak: heapPeak, after: await heap.usedAfterGc() };
      console.log(
        `Worker V8 heap: ${mb(r.heap.before / 1024)} after GC before the export, peak ${mb(r.heap.peak / 1024)} during it, ${mb(r.heap.after / 1024)} after GC after it`,
      );
      heap.close();
    }
    results.push(r);
    console.log(
      `rows ${d.rows}, ${f(d.bytes / 1e6, 2)} MB; headers ${f(d.headersMs)} ms, first byte ${f(d.firstByteMs)} ms, first row ${f(d.firstRowMs)} ms, total ${f(d.totalMs)} ms`,
    );
    console.log(
      `workerd RSS: before ${mb(before.rssKb)}, peak during export ${mb(peakKb)} (+${mb(peakKb - before.rssKb)}), VmHWM ${mb(before.hwmKb)} -> ${mb(after.hwmKb)}; ${samples} samples`,
    );
    if (chats === sizes[sizes.length - 1]) {
      const show = () => {
        // A fresh connection each time, so a schema change made by another process is seen.
        const file = new SqliteFile(d1File(w.stateDir));
        console.log(`  plan: ${file.plan(PAGE_SQL(0)).join("; ")}; bare time of one page ${f(file.time(PAGE_SQL(0)), 1)} ms`);
        file.close();
      };
      console.log(`export page query: ${PAGE_SQL(0)}`);
      show();
      if (!process.argv.includes("--no-index-trial")) {
        w.sql(PROPOSED_INDEX);
        console.log(`with ${PROPOSED_INDEX}:`);
        show();
        const before2 = readMem(pid);
        const sampler2 = sampleRss(pid);
        const d2 = await download(`${w.url}/studio/social/telegram-stats/export.csv?bot_id=1`);
        const peak2 = sampler2.stop().peakKb;
        console.log(
          `  export again: rows ${d2.rows}, first row ${f(d2.firstRowMs)} ms, total ${f(d2.totalMs)} ms (was ${f(d.totalMs)} ms); ` +
            `RSS before ${mb(before2.rssKb)}, peak ${mb(peak2)} (+${mb(peak2 - before2.rssKb)})`,
        );
      }
      // Retained or garbage? Export the same 100k rows again and again: memory a single export
      // retains would add up; garbage V8 has not collected yet levels off.
      const repeats = Number(arg("repeats", "6"));
      const line: string[] = [];
      for (let k = 0; k < repeats; k++) {
        const s = sampleRss(pid);
        await download(`${w.url}/studio/social/telegram-stats/export.csv?bot_id=1`);
        line.push(mb(s.stop().peakKb));
      }
      if (repeats) console.log(`peak RSS over ${repeats} more exports of the same ${chats} rows: ${line.join(", ")}`);
    }
  } finally {
    await w.stop();
  }
}

if (results.length >= 2) {
  const a = results[0]!;
  const b = results[results.length - 1]!;
  const growthA = Math.max(a.peakKb - a.baselineKb, 1);
  const growthB = Math.max(b.peakKb - b.baselineKb, 1);
  console.log(
    `\n== CSV export, ${a.chats} vs ${b.chats} rows (${f(b.chats / a.chats, 0)}x the rows, ${f(b.d.bytes / a.d.bytes, 1)}x the bytes)`,
  );
  console.log(`${"".padEnd(28)}${String(a.chats).padStart(12)}${String(b.chats).padStart(12)}   ratio`);
  const line = (label: string, x: number, y: number, fmt: (n: number) => string) =>
    console.log(`${label.padEnd(28)}${fmt(x).padStart(12)}${fmt(y).padStart(12)}   ${f(y / x, 2)}`);
  line("peak RSS during export", a.peakKb, b.peakKb, mb);
  line("growth over baseline", growthA, growthB, mb);
  line("VmHWM after", a.hwmAfterKb, b.hwmAfterKb, mb);
  if (a.heap && b.heap) {
    line("V8 heap peak during export", a.heap.peak / 1024, b.heap.peak / 1024, mb);
    line("V8 heap after GC, after", a.heap.after / 1024, b.heap.after / 1024, mb);
  }
  line("first row (ms)", a.d.firstRowMs, b.d.firstRowMs, (n) => f(n));
  line("total (ms)", a.d.totalMs, b.d.totalMs, (n) => f(n));
  console.log(`goal: peak flat (ratio ~1; growth in MB, not proportional to rows) -> ${b.peakKb / a.peakKb <= 1.25 ? "ok" : "NOT FLAT"}`);
  console.log(`streams: first row after ${f((100 * b.d.firstRowMs) / b.d.totalMs, 1)}% of the ${b.chats}-row download time`);
}
