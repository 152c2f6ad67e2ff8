// /admin/bots/{id}/webhook/: the webhook health console of one bot. What Telegram itself
// reports (asked live: its last error is shown as Telegram's, with its age), the inbox in
// the bot's coordinator, the counters per hour as small charts (public/js/webhook-health.js;
// the totals are in the page for readers without JavaScript), the dead letters, and the
// admin's actions. Writes call services/webhooks.ts and webhook-health.ts, as the API does.
import { raw } from "hono/html";
import { z } from "zod";
import { requireBot } from "../../db/bots";
import { AppError } from "../../lib/errors";
import { parseWith } from "../../lib/validate";
import {
  ALLOWED_UPDATE_PRESETS,
  deadLetterAction,
  dropPendingUpdates,
  rotateWebhookSecret,
  webhookHealth,
} from "../../services/webhook-health";
import { DEFAULT_ALLOWED_UPDATES, deleteWebhook, setWebhook, setWebhookSchema } from "../../services/webhooks";
import { ActionButton, Csrf, clip, Empty, fmtNum, fmtTime, Notice, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { type Ctx, may, outcomeOf, pagesApp, redirectWith, render } from "./common";

const base = (id: number) => `/admin/bots/${id}/webhook/`;

/** "5 s", "3 min", "2 h", "4 d": how long ago, for ages people read at a glance. */
export function fmtAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

const CHARTED = [
  ["duplicates", "Duplicates (Telegram delivered an update again)"],
  ["redeliveries", "Redeliveries (our own retries)"],
  ["failures", "Failures (a handling attempt failed)"],
] as const;

function Card(p: { label: string; value: string; note?: string; bad?: boolean; tone?: string }) {
  return (
    <div class={`stat-card ${p.bad ? "bad" : (p.tone ?? "g7")}`}>
      <span>{p.label}</span>
      <strong>{p.value}</strong>
      {p.note ? <small>{p.note}</small> : null}
    </div>
  );
}

async function page(c: Ctx) {
  const bot = await requireBot(c.var.db, Number(c.req.param("id")));
  const h = await webhookHealth(svc(c), bot);
  const admin = may(c, "webhooks");
  const canReplay = may(c, "bots");
  const csrf = c.get("csrfToken");
  const now = Math.floor(Date.now() / 1000);
  const tg = h.telegram.ok ? h.telegram.value : null;
  const box = h.inbox.ok ? h.inbox.value : null;
  const current = new Set(tg?.allowed_updates ?? bot.allowedUpdates ?? DEFAULT_ALLOWED_UPDATES);
  const sums = h.history.ok
    ? Object.fromEntries(CHARTED.map(([k]) => [k, h.history.ok ? h.history.value.series[k].reduce((a, b) => a + b, 0) : 0]))
    : null;
  return render(
    c,
    {
      title: `Webhook health · ${bot.name}`,
      scripts: ["/vendor/uplot/uPlot.iife.min.js", "/js/webhook-health.js"],
      styles: ["/vendor/uplot/uPlot.min.css"],
    },
    <>
      <p class="muted">
        @{bot.username ?? "?"} · <a href="/admin/bots/">All bots</a> · <a href={`/telegram/bot/${bot.id}/status/`}>status JSON</a>
      </p>

      <h2>What Telegram reports</h2>
      {tg ? (
        <>
          {tg.last_error_date ? (
            <Notice kind="error">
              Telegram reports an error delivering to this webhook, {fmtAge(now - tg.last_error_date)} ago ({fmtTime(tg.last_error_date)}):{" "}
              <strong data-testid="telegram-error">{tg.last_error_message ?? "no message given"}</strong>
            </Notice>
          ) : (
            <Notice kind="ok">Telegram reports no delivery error for this webhook.</Notice>
          )}
          <div class="cards">
            <Card
              label="Webhook URL"
              value={tg.url ? "set" : "not set"}
              note={tg.url || "updates are not delivered"}
              bad={!tg.url}
              tone="g1"
            />
            <Card
              label="Pending at Telegram"
              value={fmtNum(tg.pending_update_count)}
              note="updates Telegram still holds"
              bad={tg.pending_update_count > 100}
              tone="g5"
            />
            <Card
              label="Max connections"
              value={tg.max_connections === null ? "—" : String(tg.max_connections)}
              note="Telegram's parallel deliveries"
            />
            <Card
              label="Secret"
              value={tg.secret_set ? "set" : "none"}
              note="only its hash is stored"
              bad={Boolean(tg.url) && !tg.secret_set}
            />
          </div>
          <p>
            <strong>Allowed updates:</strong>{" "}
            {tg.allowed_updates?.length ? (
              tg.allowed_updates.map((k) => <span class="tag">{k}</span>)
            ) : (
              <span class="muted">Telegram's default</span>
            )}
          </p>
        </>
      ) : (
        <Notice kind="error">Telegram could not be asked about this webhook: {h.telegram.ok ? "" : h.telegram.error}</Notice>
      )}

      <h2>Inbox</h2>
      {box ? (
        <div class="cards">
          <Card
            label="Inbox depth"
            value={fmtNum(box.depth)}
            note={`${box.pending} waiting, ${box.stored_unhandled} stored not handled`}
            tone="g2"
          />
          <Card
            label="Oldest pending"
            value={box.oldest_pending_age_ms === null ? "none" : fmtAge(box.oldest_pending_age_ms / 1000)}
            note="age of the oldest unhandled update"
            bad={(box.oldest_pending_age_ms ?? 0) > 60_000}
            tone="g3"
          />
          <Card
            label="Dead letters"
            value={fmtNum(box.dead_letters)}
            note="kept failing: replay or discard below"
            bad={box.dead_letters > 0}
            tone="g6"
          />
          <Card label="Received" value={fmtNum(box.counters.received)} note={`${fmtNum(box.counters.done)} handled`} />
        </div>
      ) : (
        <Notice kind="error">The bot's coordinator did not answer: {h.inbox.ok ? "" : h.inbox.error}</Notice>
      )}
      {box?.last_error ? (
        // Kept until the next error: once nothing waits or is dead, it is history, not a problem.
        <p class={box.depth + box.dead_letters > 0 ? "err" : "muted"}>
          Last handling error (ours, not Telegram's), update {box.last_error.update_id}, {fmtAge((Date.now() - box.last_error.at) / 1000)}{" "}
          ago
          {box.depth + box.dead_letters > 0 ? "" : " (nothing is waiting or dead now)"}: {clip(box.last_error.error, 300)}
        </p>
      ) : null}

      <h2>Last 48 hours</h2>
      {h.history.ok ? (
        <>
          <script type="application/json" id="health-data">
            {raw(JSON.stringify(h.history.value).replace(/</g, "\\u003c"))}
          </script>
          <div class="charts">
            {CHARTED.map(([k, label]) => (
              <figure>
                <figcaption>
                  {label}: <span data-testid={`sum-${k}`}>{fmtNum(sums?.[k] ?? 0)}</span>
                </figcaption>
                <div class="chart" id={`chart-${k}`} data-series={k} data-empty="None in the last 48 hours." />
              </figure>
            ))}
          </div>
        </>
      ) : (
        <Notice kind="error">No history: {h.history.error}</Notice>
      )}

      <h2>Dead letters</h2>
      {!h.deadLetters.ok ? (
        <Notice kind="error">{h.deadLetters.error}</Notice>
      ) : h.deadLetters.value.length === 0 ? (
        <Empty title="No dead letters">Updates that fail 5 times on their own land here, to be replayed or discarded.</Empty>
      ) : (
        <Table
          head={["Update", "Stage", "Attempts", "Error", "Dead since", ...(canReplay ? ["Actions"] : [])]}
          cellClass={[undefined, undefined, "num", "err", undefined, "actions"]}
          rows={h.deadLetters.value.map((d) => [
            <a href={`/telegram/bot/${bot.id}/updates/${d.update_id}/`}>{d.update_id}</a>,
            d.stage,
            String(d.attempts),
            clip(d.error, 160),
            `${fmtAge((Date.now() - d.dead_at) / 1000)} ago`,
            ...(canReplay
              ? [
                  <>
                    <ActionButton action={`${base(bot.id)}dead-letters/${d.update_id}/replay`} csrf={csrf} label="Replay" kind="primary" />
                    <ActionButton
                      action={`${base(bot.id)}dead-letters/${d.update_id}/discard`}
                      csrf={csrf}
                      label="Discard"
                      kind="danger"
                      confirm="Drop this update for good?"
                    />
                  </>,
                ]
              : []),
          ])}
        />
      )}

      {admin ? (
        <>
          <h2>Actions</h2>
          <div class="split">
            <form method="post" action={`${base(bot.id)}apply`} class="stack panel" id="webhook-form">
              <Csrf token={csrf} />
              <label for="url">URL (empty: this Worker's own webhook path)</label>
              <input
                id="url"
                name="url"
                type="url"
                value={tg?.url || bot.webhookUrl || ""}
                placeholder="https://…/telegram/webhook/{id}/"
              />
              <label for="preset">Allowed updates</label>
              <select id="preset" name="preset">
                <option value="">Chosen below</option>
                {Object.entries(ALLOWED_UPDATE_PRESETS).map(([k, p]) => (
                  <option value={k} data-kinds={p.kinds.join(",")}>
                    {p.label}
                  </option>
                ))}
              </select>
              <fieldset class="kinds">
                {DEFAULT_ALLOWED_UPDATES.map((k) => (
                  <label>
                    <input type="checkbox" name="allowed_updates" value={k} checked={current.has(k)} /> {k}
                  </label>
                ))}
              </fieldset>
              <label for="max_connections">Max connections (1-100)</label>
              <input
                id="max_connections"
                name="max_connections"
                type="number"
                min={1}
                max={100}
                value={String(tg?.max_connections ?? 40)}
              />
              <label>
                <input type="checkbox" name="drop_pending_updates" value="1" /> Drop the updates Telegram holds
              </label>
              <button type="submit" class="btn primary">
                Set webhook
              </button>
            </form>
            <div class="stack panel top">
              <p class="muted">Each of these asks Telegram at once; its answer is shown above after the page reloads.</p>
              <ActionButton action={`${base(bot.id)}rotate`} csrf={csrf} label="Rotate the secret" />
              <ActionButton
                action={`${base(bot.id)}drop-pending`}
                csrf={csrf}
                label="Drop pending updates"
                confirm="Telegram forgets the updates it still holds for this bot. Go on?"
              />
              <ActionButton
                action={`${base(bot.id)}remove`}
                csrf={csrf}
                label="Delete the webhook"
                kind="danger"
                confirm="Telegram stops delivering to this bot. Go on?"
              />
            </div>
          </div>
        </>
      ) : (
        <p class="muted">Setting, rotating and deleting the webhook and replaying dead letters are for admins.</p>
      )}
    </>,
  );
}

const applySchema = z.object({
  url: z.string().trim().optional(),
  preset: z.string().optional(),
  allowed_updates: z.array(z.string()).optional(),
  max_connections: z.string().optional(),
  drop_pending_updates: z.string().optional(),
});

/** The form's fields as the API's setWebhook body, checked by the API's own schema. */
async function applyInput(c: Ctx) {
  const body = await c.req.parseBody({ all: true });
  const kinds = body.allowed_updates;
  const f = parseWith(
    applySchema,
    { ...body, allowed_updates: kinds === undefined ? [] : (Array.isArray(kinds) ? kinds : [kinds]).map(String) },
    "form",
  );
  const preset = f.preset ? ALLOWED_UPDATE_PRESETS[f.preset] : undefined;
  const allowed = preset ? preset.kinds : f.allowed_updates;
  if (!allowed?.length) throw new AppError("BAD_REQUEST", "Choose at least one kind of update (or a preset)");
  return parseWith(
    setWebhookSchema,
    {
      ...(f.url ? { url: f.url } : {}),
      allowed_updates: allowed,
      ...(f.max_connections ? { max_connections: Number(f.max_connections) } : {}),
      ...(f.drop_pending_updates ? { drop_pending_updates: true } : {}),
    },
    "form",
  );
}

async function act(c: Ctx, what: string, fn: () => Promise<unknown>) {
  const id = Number(c.req.param("id"));
  const res = await outcomeOf(c, fn);
  return res.ok
    ? redirectWith(c, base(id), "ok", what)
    : redirectWith(c, base(id), "error", `${what.replace(/\.$/, "")} failed: ${res.message}`);
}

/** One webhook action: a POST route of its own (each has its rule in RULES). */
function webhookAction(what: string, fn: (c: Ctx, bot: Awaited<ReturnType<typeof requireBot>>) => Promise<unknown>) {
  return async (c: Ctx) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    return act(c, what, () => fn(c, bot));
  };
}

function deadLetterRoute(action: "replay" | "discard") {
  return async (c: Ctx) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const updateId = Number(c.req.param("update_id"));
    return act(c, `Update ${updateId} ${action === "replay" ? "put back in line" : "discarded"}.`, () =>
      deadLetterAction(svc(c), bot, updateId, action),
    );
  };
}

export const webhookHealthPages = pagesApp()
  .get("/", page)
  .post(
    "/apply",
    webhookAction("Webhook set.", async (c, bot) => setWebhook(svc(c), bot, await applyInput(c))),
  )
  .post(
    "/rotate",
    webhookAction("Secret rotated.", (c, bot) => rotateWebhookSecret(svc(c), bot)),
  )
  .post(
    "/drop-pending",
    webhookAction("Pending updates dropped.", (c, bot) => dropPendingUpdates(svc(c), bot)),
  )
  .post(
    "/remove",
    webhookAction("Webhook deleted.", (c, bot) => deleteWebhook(svc(c), bot, {})),
  )
  .post("/dead-letters/:update_id{[0-9]+}/replay", deadLetterRoute("replay"))
  .post("/dead-letters/:update_id{[0-9]+}/discard", deadLetterRoute("discard"));
