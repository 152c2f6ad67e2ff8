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
  const userDaily = `chat_user_daily.bot_id = ${b} AND chat_user_daily.day >= '${from}' AND chat_user_daily.day <= '${to}'`;
  const topPosters =
    `SELECT chat_user_daily.user_id, sum(chat_user_daily.messages), count(distinct chat_user_daily.day), tg_users.first_name, tg_users.last_name, tg_users.username ` +
    `FROM chat_user_daily LEFT JOIN tg_users ON tg_users.bot_id = chat_user_daily.bot_id AND tg_users.user_id = chat_user_daily.user_id ` +
    `WHERE ${userDaily} GROUP BY chat_user_daily.user_id ORDER BY sum(chat_user_daily.messages) DESC, chat_user_daily.user_id LIMIT 10`;
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
      sql: list(` AND messages.text LIKE '%${COMMON_WORD}%' ESCAPE '\\'`),
    },
    {
      label: "messages: text (none)",
      path: `/api/messages?bot_id=${b}&q=${ABSENT_WORD}`,
      sql: list(` AND messages.text LIKE '%${ABSENT_WORD}%' ESCAPE '\\'`),
    },
    { label: "analytics summary", path: a("summary"), sql: topPosters },
    {
      label: "analytics messages",
      path: a("messages"),
      sql: `SELECT day, sum(messages) FROM chat_daily_activity WHERE bot_id = ${b} AND day >= '${from}' AND day <= '${to}' GROUP BY day`,
    },
    {
      label: "analytics active-users",
      path: a("active-users"),
      sql: `SELECT chat_user_daily.day, count(distinct chat_user_daily.user_id) FROM chat_user_daily WHERE ${userDaily} GROUP BY chat_user_daily.day`,
    },
    {
      label: "analytics members",
      path: a("members"),
      sql: `SELECT day, sum(joins), sum(leaves) FROM chat_daily_activity WHERE bot_id = ${b} AND day >= '${from}' AND day <= '${to}' GROUP BY day`,
    },
    {
      label: "analytics heatmap",
      path: a("heatmap"),
      sql: `SELECT weekday, hour, sum(messages) FROM chat_hourly_activity WHERE bot_id = ${b} GROUP BY weekday, hour`,
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
