// Analytics benchmark: the /api/analytics endpoints of a real `wrangler dev` (local D1), for
// a bot with ~10,000 stored messages and two with ~1,000,000, all with 10 chats over 100 days.
// "1M" has 10x the active users per chat-day and 10x the messages per user, so its rollups
// grow only where activity really differs (chat_user_daily rows: one per user per chat per
// day); "0.9M same users" has exactly the rollup rows of "10k" with ~90x the messages.
// The messages table holds every message; the endpoints read only the rollups.
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../../tests/helpers/wrangler-dev";

export interface Scenario {
  botId: number;
  label: string;
  chats: number;
  days: number;
  usersPerChatDay: number;
  /** Messages per user-day are 1 + (x % spread), averaging 1 + (spread - 1) / 2. */
  spread: number;
}

export const SCENARIOS: Scenario[] = [
  { botId: 1, label: "10k", chats: 10, days: 100, usersPerChatDay: 5, spread: 3 },
  // Realistic growth: 10x the active users, 10x the messages per user.
  { botId: 2, label: "1M", chats: 10, days: 100, usersPerChatDay: 50, spread: 39 },
  // The same rollup rows as "10k", ~90x the messages: isolates the message count.
  { botId: 3, label: "0.9M same users", chats: 10, days: 100, usersPerChatDay: 5, spread: 399 },
];
const FIRST_DAY = "2026-08-01";
const FIRST_TS = Date.parse(`${FIRST_DAY}T00:00:00Z`) / 1000;
export const RANGE = "from=2026-08-01&to=2026-11-08";
export const ENDPOINTS = ["summary", "messages", "active-users", "members", "heatmap", "top-posters"];

const series = (name: string, n: number) => `${name}(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM ${name} WHERE i < ${n - 1})`;

function seedSql(s: Scenario, withMessages: boolean): string {
  const chat = (c: string) => `-1001000000000 - ${c}`;
  const parts = [
    `INSERT INTO bots (id, name, token_ciphertext, token_fingerprint, is_active) VALUES (${s.botId}, 'bench ${s.label}', 'none', 'bench-${s.botId}', 0);`,
    `INSERT INTO chats (bot_id, chat_id, type, title) WITH RECURSIVE ${series("c", s.chats)} SELECT ${s.botId}, ${chat("i")}, 'supergroup', 'Chat ' || i FROM c;`,
    `INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages) WITH RECURSIVE ${series("c", s.chats)}, ${series("d", s.days)}, ${series("u", s.usersPerChatDay)}
       SELECT ${s.botId}, ${chat("c.i")}, date('${FIRST_DAY}', '+' || d.i || ' days'), 1000 + u.i + ((c.i + d.i) % 10) * ${s.usersPerChatDay},
              1 + ((c.i * 7 + d.i * 3 + u.i) % ${s.spread}) FROM c, d, u;`,
    `INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users, joins, leaves)
       SELECT bot_id, chat_id, day, sum(messages), count(*), count(*) % 3, count(*) % 2 FROM chat_user_daily WHERE bot_id = ${s.botId} GROUP BY chat_id, day;`,
    `INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages) WITH RECURSIVE ${series("c", s.chats)}, ${series("w", 7)}, ${series("h", 24)}
       SELECT ${s.botId}, ${chat("c.i")}, w.i, h.i, (w.i + 1) * (h.i + 1) * ${s.usersPerChatDay} FROM c, w, h;`,
    `INSERT INTO tg_users (bot_id, user_id, first_name) WITH RECURSIVE ${series("u", 10 * s.usersPerChatDay)} SELECT ${s.botId}, 1000 + i, 'User ' || i FROM u;`,
  ];
  if (withMessages) {
    // The stored messages themselves, as many as the rollups count (the endpoints never read them).
    parts.push(
      `INSERT INTO messages (bot_id, chat_id, message_id, date, kind, from_user_id, text)
         WITH RECURSIVE ${series("m", 0).replace("i < -1", `i < (SELECT sum(messages) FROM chat_daily_activity WHERE bot_id = ${s.botId}) - 1`)}
         SELECT ${s.botId}, ${chat(`(i % ${s.chats})`)}, i, ${FIRST_TS} + (i * 7) % ${s.days * 86400}, 'message', 1000 + i % ${10 * s.usersPerChatDay}, 'hello' FROM m;`,
    );
  }
  return parts.join("\n");
}

export interface EndpointTiming {
  endpoint: string;
  medianMs: Record<number, number>;
}

async function timeOne(w: WorkerHandle, path: string, runs: number): Promise<number> {
  const headers = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` };
  const once = async () => {
    const t = performance.now();
    const res = await fetch(`${w.url}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchAnalytics(opts: { runs?: number; withMessages?: boolean; log?: (s: string) => void } = {}) {
  const log = opts.log ?? (() => {});
  const seedStarted = performance.now();
  const w = await startWorker({ seedSql: SCENARIOS.map((s) => seedSql(s, opts.withMessages ?? true)).join("\n"), timeoutMs: 180_000 });
  log(`seeded and started wrangler dev in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  try {
    const sizes = SCENARIOS.map((s) => {
      const q = (sql: string) => Number((w.sql(sql)[0] as { n: number }).n);
      return {
        botId: s.botId,
        label: s.label,
        rollupMessages: q(`SELECT sum(messages) AS n FROM chat_daily_activity WHERE bot_id = ${s.botId}`),
        storedMessages: q(`SELECT count(*) AS n FROM messages WHERE bot_id = ${s.botId}`),
        dailyRows: q(`SELECT count(*) AS n FROM chat_daily_activity WHERE bot_id = ${s.botId}`),
        userDailyRows: q(`SELECT count(*) AS n FROM chat_user_daily WHERE bot_id = ${s.botId}`),
        hourlyRows: q(`SELECT count(*) AS n FROM chat_hourly_activity WHERE bot_id = ${s.botId}`),
      };
    });
    const timings: EndpointTiming[] = [];
    for (const endpoint of ENDPOINTS) {
      const medianMs: Record<number, number> = {};
      for (const s of SCENARIOS) medianMs[s.botId] = await timeOne(w, `/api/analytics/${s.botId}/${endpoint}?${RANGE}`, opts.runs ?? 15);
      timings.push({ endpoint, medianMs });
    }
    return { sizes, timings };
  } finally {
    await w.stop();
  }
}
