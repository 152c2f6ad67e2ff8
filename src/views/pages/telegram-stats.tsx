// The main statistics dashboard: cards, the chat table, errors, charts and analytics.
import { raw } from "hono/html";
import type { Analytics, ChatStatRow, Totals } from "../../stats/page-queries";
import { type BotOption, BotSelect, Csrf, Empty, fmtNum, fmtTime, Pager } from "../components";
import { AdminsCell, CollectedCell, CountCell, dayOf, NOT_COLLECTED, pending } from "../stats-cells";
import { ChartNote, chartNotes } from "./chart-notes";

export interface StatsPageProps {
  bots: BotOption[];
  botId: number;
  q: string;
  totals: Totals;
  rows: ChatStatRow[];
  errors: { chatId: number; title: string | null; message: string; collectedAt: number }[];
  analytics: Analytics;
  csrf?: string;
  url: string;
  page: number;
  hasNext: boolean;
  errorOf: (raw: string | null) => string;
  /** The chat the charts are scoped to (all of the bot's chats when unset). */
  chatId?: number;
  chatOptions: { chatId: number; title: string }[];
  /** Stale chats a background collection was started for (0: all fresh); null when it could not start. */
  collecting: number | null;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function StatsPage(p: StatsPageProps) {
  const t = p.totals;
  const exportUrl = `/studio/social/telegram-stats/export.csv?bot_id=${p.botId ?? ""}${p.q ? `&q=${encodeURIComponent(p.q)}` : ""}`;
  const chartData = JSON.stringify({
    members: p.analytics.memberHistory,
    daily: p.analytics.daily,
  }).replace(/</g, "\\u003c");
  const maxHeat = Math.max(1, ...p.analytics.heatmap.flat());
  const notes = chartNotes(p.analytics);
  return (
    <>
      <div class="toolbar">
        <form method="get" class="inline" data-autosubmit>
          <label for="bot_id">Bot</label>
          <BotSelect bots={p.bots} selected={p.botId} />
          <button type="submit" class="btn small">
            Show
          </button>
        </form>
        <form method="post" action={`/studio/social/telegram-stats/refresh?bot_id=${p.botId}`} class="inline">
          <Csrf token={p.csrf} />
          <button type="submit" class="btn small primary" title="Collect fresh figures from Telegram">
            ↻ Refresh
          </button>
        </form>
        <a class="btn small" href={exportUrl} download>
          ⇩ Export CSV
        </a>
      </div>

      <section class="cards" aria-label="Summary">
        <div class="stat-card g1">
          <span>Chats</span>
          <strong data-testid="total-chats">{fmtNum(t.chats)}</strong>
        </div>
        <div class="stat-card g2">
          <span>Members</span>
          {t.collectable > 0 && t.collected === 0 ? (
            <strong data-testid="total-members" class="not-collected">
              {NOT_COLLECTED}
            </strong>
          ) : (
            <strong data-testid="total-members">{fmtNum(t.members)}</strong>
          )}
          {t.collected < t.collectable && t.collected > 0 ? (
            <small>
              from {t.collected} of {t.collectable} groups and channels
            </small>
          ) : null}
        </div>
        {(["channel", "supergroup", "group", "private"] as const).map((type, i) => (
          <div class={`stat-card g${3 + i}`}>
            <span>{type === "private" ? "Private chats" : `${type[0]?.toUpperCase()}${type.slice(1)}s`}</span>
            <strong>{fmtNum(t.byType[type].chats)}</strong>
            {t.byType[type].chats > 0 && t.byType[type].collected_chats === 0 ? (
              <small class="not-collected" data-testid={`members-${type}`}>
                {type === "private" ? "members not collected (private)" : `members ${NOT_COLLECTED}`}
              </small>
            ) : (
              <small data-testid={`members-${type}`}>{fmtNum(t.byType[type].members)} members</small>
            )}
          </div>
        ))}
        <div class={`stat-card ${t.errors ? "bad" : "g7"}`}>
          <span>Errors</span>
          <strong>{fmtNum(t.errors)}</strong>
        </div>
      </section>

      {p.errors.length ? (
        <section class="panel error-panel" aria-labelledby="errors-h">
          <h2 id="errors-h">Collection errors</h2>
          <ul>
            {p.errors.map((e) => (
              <li>
                <strong>{e.title ?? e.chatId}</strong> <code>{e.chatId}</code>: {e.message}{" "}
                <small class="muted">({fmtTime(e.collectedAt)})</small>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="panel" aria-labelledby="chats-h">
        <h2 id="chats-h">Chats</h2>
        {p.collecting ? (
          <p
            class="collecting"
            id="collect-status"
            data-poll={`/studio/social/telegram-stats/rows.json?bot_id=${p.botId}`}
            aria-live="polite"
          >
            Collecting {p.collecting} chat(s) never collected or older than an hour, in the background; their rows fill in when it lands.
          </p>
        ) : p.collecting === null ? (
          <p class="collecting" id="collect-status">
            A background collection could not be started; use Refresh.
          </p>
        ) : null}
        <form method="get" class="inline search">
          <input type="hidden" name="bot_id" value={String(p.botId ?? "")} />
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value={p.q} placeholder="name, @username or type" data-filter="#chat-table" />
          <button type="submit" class="btn small">
            Search
          </button>
        </form>
        {p.rows.length === 0 ? (
          <Empty title={p.q ? "No chat matches this search" : "No chats known yet"}>
            {p.q
              ? "Try a shorter search, or clear it to see every chat."
              : "Chats appear when the bot receives an update from them (add it to a group or channel, or send it a message)."}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table id="chat-table" class="data sortable">
              <thead>
                <tr>
                  <th data-sort="text">Title</th>
                  <th data-sort="text">Username</th>
                  <th data-sort="text">Type</th>
                  <th data-sort="num">Members</th>
                  <th data-sort="num">Admins</th>
                  <th data-sort="text">Bot role</th>
                  <th data-sort="text">First seen</th>
                  <th data-sort="text">Collected</th>
                  <th data-sort="text">Last error</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr data-chat-id={String(r.chatId)} data-pending={pending(r) ? "1" : undefined}>
                    <td>
                      {r.title ?? r.firstName ?? <span class="muted">(untitled)</span>}
                      <br />
                      <small class="muted">{r.chatId}</small>
                    </td>
                    <td>{r.username ? `@${r.username}` : ""}</td>
                    <td>
                      <span class={`tag ${r.type}`}>{r.type}</span>
                    </td>
                    <td class="num" data-cell="members" data-value={String(r.memberCount ?? -1)}>
                      <CountCell r={r} n={r.memberCount} />
                    </td>
                    <td class="num" data-cell="admins" data-value={String(r.adminCount ?? -1)}>
                      <AdminsCell r={r} />
                    </td>
                    <td data-cell="role">{r.botRole ?? "—"}</td>
                    <td class="nowrap" data-value={String(r.firstSeenAt)}>
                      {dayOf(r.firstSeenAt)}
                    </td>
                    <td class="nowrap" data-cell="collected" data-value={String(r.collectedAt ?? 0)}>
                      <CollectedCell r={r} />
                    </td>
                    <td class="err" data-cell="error">
                      {p.errorOf(r.error)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager url={p.url} page={p.page} hasNext={p.hasNext} />
      </section>

      <section class="panel" aria-labelledby="charts-h">
        <h2 id="charts-h">Members and activity (last 30 days)</h2>
        <form method="get" class="inline search" data-autosubmit>
          <input type="hidden" name="bot_id" value={String(p.botId ?? "")} />
          <label for="chat_id">Scope</label>
          <select id="chat_id" name="chat_id">
            <option value="">All chats of this bot</option>
            {p.chatOptions.map((o) => (
              <option value={String(o.chatId)} selected={o.chatId === p.chatId}>
                {o.title}
              </option>
            ))}
          </select>
          <button type="submit" class="btn small">
            Show
          </button>
        </form>
        <script type="application/json" id="chart-data">
          {raw(chartData)}
        </script>
        <div class="charts">
          <figure>
            <figcaption>Members (from snapshots)</figcaption>
            <ChartNote id="chart-members" note={notes.members} />
          </figure>
          <figure>
            <figcaption>Messages per day</figcaption>
            <ChartNote id="chart-daily" note={notes.daily} />
          </figure>
          <figure>
            <figcaption>Joins and leaves per day</figcaption>
            <ChartNote id="chart-joins" note={notes.joins} />
          </figure>
        </div>
        <noscript>
          <p class="muted">Charts need JavaScript; the tables below show the same activity.</p>
        </noscript>
        <div class="split">
          <div>
            <h3>Activity by hour (UTC) and weekday</h3>
            <div class="table-wrap">
              <table class="heatmap" aria-label="Messages by weekday and hour">
                <thead>
                  <tr>
                    <th />
                    {Array.from({ length: 24 }, (_, h) => (
                      <th scope="col">{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {p.analytics.heatmap.map((row, d) => (
                    <tr>
                      <th scope="row">{WEEKDAYS[d]}</th>
                      {row.map((n) => (
                        <td style={`--heat:${(n / maxHeat).toFixed(3)}`} title={`${n} messages`}>
                          {n ? n : ""}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div>
            <h3>Top posters</h3>
            {p.analytics.topPosters.length === 0 ? (
              <Empty title="No posts counted yet">Group messages are counted as they arrive through the webhook.</Empty>
            ) : (
              <ol class="bars">
                {p.analytics.topPosters.map((u) => (
                  <li>
                    <span>{u.name}</span>
                    <span class="bar" style={`--w:${((u.messages / (p.analytics.topPosters[0]?.messages || 1)) * 100).toFixed(1)}%`} />
                    <strong>{fmtNum(u.messages)}</strong>
                  </li>
                ))}
              </ol>
            )}
          </div>
        </div>
      </section>
    </>
  );
}
