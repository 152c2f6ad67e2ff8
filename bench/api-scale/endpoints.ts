// What the api-scale bench times: the endpoints (over HTTP), and for each the SQL its
// heaviest query runs (written out as drizzle builds it in src/routes/data-api.ts,
// src/stats/analytics.ts and src/routes/pages/stats-queries.ts), for query plans and the
// bare query time on the database file.
import { ABSENT_WORD, BOT_ID, COMMON_WORD, SAMPLE_CHAT_ID } from "./dataset";

export interface Endpoint {
  label: string;
  path: string;
  /** The query that decides how this endpoint scales. */
  sql: string;
}

/** The dashboard's default range: the last 30 UTC days, today included. */
export function last30Days(now = Date.now()): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now - 29 * 86_400_000), to: day(now) };
}

export function endpoints(): Endpoint[] {
  const { from, to } = last30Days();
  const b = BOT_ID;
  const list = (cond: string) => `SELECT * FROM messages WHERE messages.bot_id = ${b}${cond} ORDER BY messages.id DESC LIMIT 51`;
  // Bot-wide analytics read the bot rollups (src/stats/analytics.ts, botDays / botPosters).
  const botDays = `SELECT * FROM bot_daily_activity WHERE bot_id = ${b} AND day >= '${from}' AND day <= '${to}'`;
  const at = (cmp: string) =>
    `(SELECT d.cum_messages * 4194304 + d.cum_days FROM bot_user_days d WHERE d.bot_id = ${b} AND d.user_id = a.user_id AND ${cmp} ORDER BY d.day DESC LIMIT 1)`;
  const topPosters =
    `WITH r AS MATERIALIZED (SELECT a.user_id, ${at(`d.day <= '${to}'`)} AS hi, coalesce(${at(`d.day < '${from}'`)}, 0) AS lo ` +
    `FROM bot_user_activity a WHERE a.bot_id = ${b} AND a.last_day >= '${from}'), ` +
    `s AS (SELECT user_id, (hi >> 22) - (lo >> 22) AS messages, (hi & 4194303) - (lo & 4194303) AS active_days FROM r), ` +
    `t AS (SELECT user_id, messages, active_days, count(*) OVER () AS users FROM s WHERE messages > 0 ORDER BY messages DESC, user_id LIMIT 10) ` +
    `SELECT t.*, u.first_name, u.last_name, u.username FROM t LEFT JOIN tg_users u ON u.bot_id = ${b} AND u.user_id = t.user_id ORDER BY t.messages DESC, t.user_id`;
  // A text search reads at most SEARCH_WINDOW (10,000) messages (src/db/message-search.ts): both of its queries in one.
  const search = (word: string) =>
    list(
      ` AND messages.text LIKE '%${word}%' ESCAPE '\\' AND messages.id >= coalesce((SELECT id FROM messages WHERE bot_id = ${b} ORDER BY id DESC LIMIT 1 OFFSET 9999), 0)`,
    );
  const a = (name: string) => `/api/analytics/${b}/${name}?from=${from}&to=${to}`;
  return [
    { label: "dashboard page", path: `/studio/social/telegram-stats/?bot_id=${b}`, sql: topPosters },
    { label: "messages: first page", path: `/api/messages?bot_id=${b}`, sql: list("") },
    {
      label: "messages: by chat",
      path: `/api/messages?bot_id=${b}&chat_id=${SAMPLE_CHAT_ID}`,
      sql: list(` AND messages.chat_id = ${SAMPLE_CHAT_ID}`),
    },
    { label: "messages: by kind", path: `/api/messages?bot_id=${b}&kind=service`, sql: list(` AND messages.kind = 'service'`) },
    {
      label: "messages: text (1%)",
      path: `/api/messages?bot_id=${b}&q=${COMMON_WORD}`,
      sql: search(COMMON_WORD),
    },
    {
      label: "messages: text (none)",
      path: `/api/messages?bot_id=${b}&q=${ABSENT_WORD}`,
      sql: search(ABSENT_WORD),
    },
    { label: "analytics summary", path: a("summary"), sql: topPosters },
    {
      label: "analytics messages",
      path: a("messages"),
      sql: botDays,
    },
    {
      label: "analytics active-users",
      path: a("active-users"),
      sql: botDays,
    },
    {
      label: "analytics members",
      path: a("members"),
      sql: botDays,
    },
    {
      label: "analytics heatmap",
      path: a("heatmap"),
      sql: `SELECT weekday, hour, messages FROM bot_hourly_activity WHERE bot_id = ${b}`,
    },
    { label: "analytics top-posters", path: a("top-posters"), sql: topPosters },
    {
      label: "analytics member-history",
      path: a("member-history"),
      sql: `SELECT chat_id, date(period_start, 'unixepoch'), member_count, max(period_start) FROM chat_snapshots WHERE bot_id = ${b} AND error IS NULL AND member_count IS NOT NULL GROUP BY chat_id, date(period_start, 'unixepoch')`,
    },
    {
      label: "analytics growth",
      path: `${a("growth")}&by=week`,
      sql: `SELECT chat_id, date(period_start, 'unixepoch'), member_count, max(period_start) FROM chat_snapshots WHERE bot_id = ${b} AND error IS NULL AND member_count IS NOT NULL GROUP BY chat_id, date(period_start, 'unixepoch')`,
    },
  ];
}
