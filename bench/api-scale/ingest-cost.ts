// What one stored message costs in D1, measured rather than guessed (for the scale note in
// BENCHMARKS.md): N plain text messages (groups, many users, no commands, AI off: the bulk
// of real traffic) delivered to POST /telegram/webhook/{bot}/ of a real `wrangler dev`;
// then the rows added and the bytes grown per table (with its indexes, dbstat pages) per
// update. These updates make no Bot API call, no KV write and no Durable Object request.
//
//   npx tsx bench/api-scale/ingest-cost.ts [--n=3000]
import { createHash } from "node:crypto";
import { startWorker } from "../../tests/helpers/wrangler-dev";
import { d1File, SqliteFile } from "./sqlite-file";

const arg = (name: string, fallback: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const N = Number(arg("n", "3000"));
const CHATS = 100;
const USERS = 1000;
const SECRET = "bench-webhook-secret-0123456789";
const f = (n: number, d = 1) => n.toFixed(d);

const hash = createHash("sha256").update(SECRET).digest("hex");
const seed = `INSERT INTO bots (id, name, username, token_ciphertext, token_fingerprint, webhook_secret_hash, is_active)
  VALUES (1, 'ingest cost', 'ingest_cost_bot', 'none', 'ingest-cost', '${hash}', 1);`;

function update(i: number, now: number) {
  const c = i % CHATS;
  const u = 1000 + ((i * 7) % USERS);
  return {
    update_id: 500_000_000 + i,
    message: {
      message_id: 1 + Math.floor(i / CHATS),
      from: { id: u, is_bot: false, first_name: `User ${u}`, username: `user${u}`, language_code: "en" },
      chat: { id: -1001000000000 - c, title: `Chat ${c}`, type: "supergroup" },
      date: now - (N - i),
      text: `Hello from user ${u} in chat ${c}: an ordinary message of a few words #${i}`,
    },
  };
}

/** Rows and bytes (table + its indexes) per table. */
function snapshot(file: SqliteFile) {
  const owner = new Map(
    (
      file.db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all() as {
        name: string;
        tbl_name: string;
      }[]
    ).map((r) => [r.name, r.tbl_name]),
  );
  const bytes = new Map<string, number>();
  for (const b of file.bytesByName()) {
    const t = owner.get(b.name) ?? b.name;
    bytes.set(t, (bytes.get(t) ?? 0) + b.bytes);
  }
  const rows = new Map<string, number>();
  for (const t of bytes.keys()) if (!t.startsWith("sqlite_") && t !== "_cf_KV" && t !== "d1_migrations") rows.set(t, file.count(t));
  return { bytes, rows };
}

const w = await startWorker({ seedSql: seed });
try {
  const file = new SqliteFile(d1File(w.stateDir));
  const before = snapshot(file);
  const now = Math.floor(Date.now() / 1000);
  const statuses: Record<number, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next++; i < N; i = next++) {
        const res = await fetch(`${w.url}/telegram/webhook/1/`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
          body: JSON.stringify(update(i, now)),
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  // Deliveries are answered once the update is in the bot's inbox; storing follows in its
  // coordinator: wait until every update is in D1.
  const target = (before.rows.get("processed_updates") ?? 0) + N;
  for (let i = 0; i < 600 && (snapshot(file).rows.get("processed_updates") ?? 0) < target; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = snapshot(file);
  file.close();
  console.log(`${N} plain group text messages (${CHATS} chats, ${USERS} users) in ${f(seconds)} s; statuses ${JSON.stringify(statuses)}`);
  console.log(
    `${"table (with its indexes)".padEnd(28)}${"rows added".padStart(12)}${"per update".padStart(12)}${"bytes/update".padStart(14)}`,
  );
  let total = 0;
  for (const [t, b] of [...after.bytes].sort((x, y) => y[1] - x[1])) {
    const db = b - (before.bytes.get(t) ?? 0);
    const dr = (after.rows.get(t) ?? 0) - (before.rows.get(t) ?? 0);
    if (db === 0 && dr === 0) continue;
    total += db;
    console.log(`${t.padEnd(28)}${String(dr).padStart(12)}${f(dr / N, 3).padStart(12)}${f(db / N, 0).padStart(14)}`);
  }
  console.log(`total: ${f(total / N, 0)} bytes per update (pages in use, dbstat)`);
} finally {
  await w.stop();
}
