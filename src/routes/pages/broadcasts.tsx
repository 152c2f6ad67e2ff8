// /telegram/broadcasts/: compose a broadcast (audience, text with a live preview, optional
// URL buttons, now / later / daily / weekly) and the list of broadcasts with their counts;
// /telegram/broadcasts/{id}/ is one broadcast's delivery report, which fills in while it
// runs (public/js/broadcast.js re-reads it; without JavaScript, reload). The form is checked
// with the API's own schema and calls the same service as POST /api/broadcasts.
import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { listBots, requireBot } from "../../db/bots";
import { bots, broadcastDeliveries, broadcasts, chats } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { parseWith } from "../../lib/validate";
import { broadcastReport, createBroadcast } from "../../services/broadcasts";
import { DELIVERY_STATUSES } from "../../tasks/broadcast";
import { AUDIENCES } from "../../tasks/broadcast-audience";
import { broadcastInputSchema } from "../../tasks/broadcast-input";
import { REPEATS } from "../../tasks/broadcast-schedule";
import { ActionButton, BotSelect, Csrf, clip, Empty, fmtNum, fmtTime, Notice, Pager, Table } from "../../views/components";
import { type Ctx, formFields, may, outcomeOf, pageRows, pagesApp, paging, redirectWith, render } from "./common";

const BASE = "/telegram/broadcasts/";
const BUTTON_SLOTS = 4;

const AUDIENCE_LABEL: Record<(typeof AUDIENCES)[number], string> = {
  all: "Every chat the bot is in",
  private: "Private chats (users)",
  groups: "Groups and supergroups",
  channels: "Channels",
  subscribers: "Users who turned notifications on (/settings)",
};

type Form = Record<string, string>;

/** The form's strings as the API's body; the API's schema then checks it. */
export function formToInput(f: Form, nowS: number) {
  const buttons = [];
  for (let i = 1; i <= BUTTON_SLOTS; i++) {
    const text = f[`button_text_${i}`]?.trim() ?? "";
    const url = f[`button_url_${i}`]?.trim() ?? "";
    if (!text && !url) continue;
    buttons.push([{ text, url }]);
  }
  const when = parseWith(z.enum(["now", "later", ...REPEATS]), f.when ?? "now", "form: when");
  let sendAt: number | undefined;
  if (when !== "now") {
    // datetime-local gives "YYYY-MM-DDTHH:MM" without a zone: the form says it is UTC.
    const raw = f.send_at?.trim() ?? "";
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(raw) ? Date.parse(`${raw}:00Z`) / 1000 : Number.NaN;
    if (!Number.isFinite(t))
      throw new AppError("BAD_REQUEST", "Invalid form: send_at: give a date and time (UTC) for a scheduled broadcast");
    if (t < nowS - 60) throw new AppError("BAD_REQUEST", "Invalid form: send_at: that time has passed");
    sendAt = t;
  }
  return parseWith(
    broadcastInputSchema,
    {
      bot_id: Number(f.bot_id),
      text: f.text ?? "",
      ...(f.parse_mode ? { parse_mode: f.parse_mode } : {}),
      audience: f.audience || "all",
      ...(buttons.length ? { buttons } : {}),
      ...(sendAt !== undefined ? { send_at: sendAt } : {}),
      ...(when === "daily" || when === "weekly" ? { repeat_every: when } : {}),
    },
    "form",
  );
}

function Compose({ c, all, values }: { c: Ctx; all: { id: number; name: string; username: string | null }[]; values: Form }) {
  return (
    <form method="post" action={`${BASE}new`} class="split" id="compose">
      <div class="stack panel">
        <Csrf token={c.get("csrfToken")} />
        <label for="bot_id">Bot</label>
        <BotSelect bots={all} selected={values.bot_id ? Number(values.bot_id) : undefined} />
        <label for="audience">Audience</label>
        <select id="audience" name="audience">
          {AUDIENCES.map((a) => (
            <option value={a} selected={values.audience === a}>
              {AUDIENCE_LABEL[a]}
            </option>
          ))}
        </select>
        <label for="text">Text</label>
        <textarea id="text" name="text" rows={6} maxlength={4096} required data-preview="#preview">
          {values.text ?? ""}
        </textarea>
        <label for="parse_mode">Formatting</label>
        <select id="parse_mode" name="parse_mode">
          {[
            ["", "Plain text"],
            ["HTML", "HTML"],
            ["MarkdownV2", "MarkdownV2"],
            ["Markdown", "Markdown (legacy)"],
          ].map(([v, l]) => (
            <option value={v} selected={(values.parse_mode ?? "") === v}>
              {l}
            </option>
          ))}
        </select>
        <fieldset class="buttons">
          <legend>Link buttons (optional, one a row)</legend>
          {Array.from({ length: BUTTON_SLOTS }, (_, k) => k + 1).map((i) => (
            <div class="button-row">
              <input
                name={`button_text_${i}`}
                placeholder="Label"
                maxlength={64}
                value={values[`button_text_${i}`] ?? ""}
                aria-label={`Button ${i} label`}
              />
              <input
                name={`button_url_${i}`}
                type="url"
                placeholder="https://…"
                value={values[`button_url_${i}`] ?? ""}
                aria-label={`Button ${i} link`}
              />
            </div>
          ))}
        </fieldset>
        <label for="when">When</label>
        <select id="when" name="when">
          {[
            ["now", "Now"],
            ["later", "Later, once"],
            ["daily", "Every day, from"],
            ["weekly", "Every week, from"],
          ].map(([v, l]) => (
            <option value={v} selected={(values.when ?? "now") === v}>
              {l}
            </option>
          ))}
        </select>
        <label for="send_at">Date and time (UTC; for later and recurring)</label>
        <input id="send_at" name="send_at" type="datetime-local" value={values.send_at ?? ""} />
        <button type="submit" class="btn primary">
          Create broadcast
        </button>
      </div>
      <div class="stack panel top">
        <strong>Preview</strong>
        <div id="preview" class="preview" />
        <div id="preview-buttons" class="preview-buttons" />
        <small class="muted">
          Sent at most 1 a second per chat, 20 a minute per group and 30 a second per bot; users who blocked the bot are skipped. A message
          whose outcome is unknown (no answer from Telegram) is reported, never sent twice.
        </small>
      </div>
    </form>
  );
}

function statusOf(b: { status: string; sendAt: number | null }, counts: Record<string, number>) {
  const now = Date.now() / 1000;
  if (b.status !== "done" && b.status !== "cancelled" && b.sendAt && b.sendAt > now && !counts.sent) return "scheduled";
  return b.status;
}

async function list(c: Ctx, values: Form = {}, error?: string) {
  const pg = paging(c, 25);
  const found = await c.var.db
    .select({ b: broadcasts, botName: bots.name })
    .from(broadcasts)
    .leftJoin(bots, eq(bots.id, broadcasts.botId))
    .orderBy(desc(broadcasts.id))
    .limit(pg.limit)
    .offset(pg.offset)
    .all();
  const { rows, hasNext } = pageRows(found, pg.size);
  const ids = rows.map((r) => r.b.id);
  const tallies = ids.length
    ? await c.var.db
        .select({ id: broadcastDeliveries.broadcastId, status: broadcastDeliveries.status, n: count() })
        .from(broadcastDeliveries)
        .where(inArray(broadcastDeliveries.broadcastId, ids))
        .groupBy(broadcastDeliveries.broadcastId, broadcastDeliveries.status)
        .all()
    : [];
  const countsOf = (id: number) =>
    Object.fromEntries(tallies.filter((t) => t.id === id).map((t) => [t.status, t.n])) as Record<string, number>;
  const all = (await listBots(c.var.db)).map((b) => ({ id: b.id, name: b.name, username: b.username }));
  return render(
    c,
    { title: "Broadcasts", scripts: ["/js/send.js", "/js/broadcast.js"] },
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {may(c, "broadcast") ? (
        all.length ? (
          <Compose c={c} all={all} values={values} />
        ) : (
          <Empty title="No bots yet">Add a bot on the Bots page before composing a broadcast.</Empty>
        )
      ) : (
        <p class="muted">Composing broadcasts is for staff and admins; you can read the reports.</p>
      )}
      <h2>Sent and scheduled</h2>
      {rows.length === 0 ? (
        <Empty title="No broadcasts yet">Compose one above; its delivery report appears here.</Empty>
      ) : (
        <Table
          head={["Broadcast", "Bot", "Status", "When", "Sent", "Failed", "Unknown", "Skipped", "Waiting"]}
          cellClass={[undefined, undefined, undefined, undefined, "num", "num", "num", "num", "num"]}
          rows={rows.map(({ b, botName }) => {
            const k = countsOf(b.id);
            return [
              <>
                <a href={`${BASE}${b.id}/`}>#{b.id}</a> {clip(b.text, 60)}
              </>,
              botName ?? "—",
              <span class={`tag status-${statusOf(b, k)}`}>{statusOf(b, k)}</span>,
              <>
                {b.sendAt ? fmtTime(b.sendAt) : fmtTime(b.createdAt)}
                {b.repeatEvery ? <small class="muted"> · {b.repeatEvery}</small> : null}
              </>,
              fmtNum(k.sent ?? 0),
              fmtNum(k.failed ?? 0),
              fmtNum(k.unknown ?? 0),
              fmtNum(k.skipped ?? 0),
              fmtNum((k.pending ?? 0) + (k.sending ?? 0)),
            ];
          })}
        />
      )}
      <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
    </>,
    error ? 400 : 200,
  );
}

async function report(c: Ctx) {
  const id = Number(c.req.param("id"));
  const q = c.req.query("status");
  const filter = q && (DELIVERY_STATUSES as readonly string[]).includes(q) ? q : undefined;
  const r = await broadcastReport(c.var.db, id, undefined, 1);
  const pg = paging(c, 100);
  const found = await c.var.db
    .select({ d: broadcastDeliveries, title: chats.title, username: chats.username, type: chats.type })
    .from(broadcastDeliveries)
    .leftJoin(chats, and(eq(chats.botId, sql`${r.bot_id}`), eq(chats.chatId, broadcastDeliveries.chatId)))
    .where(and(eq(broadcastDeliveries.broadcastId, id), filter ? eq(broadcastDeliveries.status, filter) : undefined))
    .orderBy(broadcastDeliveries.chatId)
    .limit(pg.limit)
    .offset(pg.offset)
    .all();
  const { rows, hasNext } = pageRows(found, pg.size);
  const k = r.counts;
  const status = statusOf({ status: r.status, sendAt: r.send_at }, k);
  const open = k.pending + k.sending > 0 && status !== "cancelled";
  const cards: [string, number, string][] = [
    ["Sent", k.sent, "g2"],
    ["Failed", k.failed, k.failed ? "bad" : "g7"],
    ["Unknown", k.unknown, k.unknown ? "g3" : "g7"],
    ["Skipped", k.skipped, "g7"],
    ["Waiting", k.pending + k.sending, "g5"],
  ];
  const bot = await requireBot(c.var.db, r.bot_id);
  return render(
    c,
    { title: `Broadcast #${id}`, scripts: ["/js/broadcast.js"] },
    <>
      <p class="muted">
        <a href={BASE}>All broadcasts</a> · {bot.name} ·{" "}
        <span class={`tag status-${status}`} data-testid="broadcast-status">
          {status}
        </span>
        {r.send_at ? ` · ${r.repeat_every ? `every ${r.repeat_every === "daily" ? "day" : "week"} from` : "at"} ${fmtTime(r.send_at)}` : ""}
        {r.audience ? ` · audience: ${r.audience}` : " · chosen chats"}
      </p>
      <div class="cards" id="report-counts" data-refresh={open ? "1" : undefined}>
        <div class="stat-card g1">
          <span>Chats</span>
          <strong>{fmtNum(k.total)}</strong>
        </div>
        {cards.map(([label, n, tone]) => (
          <div class={`stat-card ${tone}`} data-count={label.toLowerCase()}>
            <span>{label}</span>
            <strong>{fmtNum(n)}</strong>
          </div>
        ))}
      </div>
      <div class="panel">
        <small class="muted">The text as stored{r.parse_mode ? `, sent with parse_mode ${r.parse_mode}` : ", sent as plain text"}:</small>
        <pre class="preview" data-testid="broadcast-text">
          {r.text}
        </pre>
        {r.buttons?.length ? (
          <p>
            {r.buttons.flat().map((b) => (
              <span class="tag" title={b.url}>
                ↗ {b.text}
              </span>
            ))}
          </p>
        ) : null}
      </div>
      {open && r.task_id && may(c, "tasks") ? (
        <p>
          <ActionButton
            action={`/telegram/background-tasks/${r.task_id}/stop/`}
            csrf={c.get("csrfToken")}
            label="Stop this broadcast"
            kind="danger"
            confirm="Stop sending? What is sent stays sent."
          />
        </p>
      ) : null}
      <p class="filters">
        Show:{" "}
        {[undefined, ...DELIVERY_STATUSES].map((s) => (
          <a class={`btn small ${s === filter ? "primary" : ""}`} href={s ? `?status=${s}` : "?"}>
            {s ?? "all"}
          </a>
        ))}
      </p>
      {rows.length === 0 ? (
        <Empty title="No deliveries here">{filter ? `None is ${filter}.` : "This broadcast addresses no chats."}</Empty>
      ) : (
        <Table
          head={["Chat", "Status", "Reason", "Attempts", "Updated"]}
          cellClass={[undefined, undefined, "err", "num", undefined]}
          rows={rows.map(({ d, title, username, type }) => [
            <>
              {title ?? (username ? `@${username}` : String(d.chatId))}
              <br />
              <small class="muted">
                {d.chatId} {type ? `· ${type}` : ""}
              </small>
            </>,
            <span class={`tag delivery-${d.status}`}>{d.status}</span>,
            d.error ?? "",
            String(d.attempts),
            fmtTime(d.updatedAt),
          ])}
        />
      )}
      <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
    </>,
  );
}

export const broadcastsPages = pagesApp()
  .get("/", (c) => list(c))
  .post("/new", async (c) => {
    const f = await formFields(c);
    const res = await outcomeOf(c, async () => {
      const body = formToInput(f, Math.floor(Date.now() / 1000));
      await requireBot(c.var.db, body.bot_id);
      return createBroadcast(c.env, c.var.db, {
        botId: body.bot_id,
        text: body.text,
        parseMode: body.parse_mode,
        audience: body.audience,
        buttons: body.buttons,
        sendAt: body.send_at,
        repeatEvery: body.repeat_every,
      });
    });
    // A refused form comes back filled in, with the reason on top.
    if (!res.ok) return list(c, f, res.message);
    const b = res.value;
    // Said once, after the redirect: by then a small broadcast may be done, so it tells what
    // was started, and the report below tells where it stands.
    const when = b.send_at ? `scheduled for ${fmtTime(b.send_at)}` : "sending started";
    return redirectWith(c, `${BASE}${b.id}/`, "ok", `Broadcast #${b.id} to ${b.total} chat(s) created; ${when}.`);
  })
  .get("/:id{[0-9]+}", report);
