// /admin/bots/: list, create, edit and activate bots, set/delete the webhook and show its
// info. Every write calls the same service as the JSON API (services/bots.ts, webhooks.ts),
// with the API's own input schemas, so the rules and their refusals are the same.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type BotRow, listBots, requireBot } from "../../db/bots";
import { parseWith } from "../../lib/validate";
import { createBotSchema } from "../../services/bot-input";
import { createBot, patchBot } from "../../services/bots";
import { menuStatus } from "../../services/command-menus";
import { deleteWebhook, setWebhook } from "../../services/webhooks";
import { ActionButton, Csrf, Empty, fmtTime, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { type FieldErrors, type FormValues, formValuesOf, patchFromForm } from "./bot-settings-fields";
import { BotSettingsForm } from "./bot-settings-form";
import { type Ctx, formFields, may, outcomeOf, pagesApp, redirectWith, render } from "./common";

const BASE = "/admin/bots/";

/** The add form (name and token); every other setting is on the edit page (bot-settings-form.tsx). */
function BotForm(p: { csrf?: string; action: string; name?: string; withToken: boolean; submit: string }) {
  return (
    <form method="post" action={p.action} class="stack panel">
      <Csrf token={p.csrf} />
      <label for="name">Name (yours, unique)</label>
      <input id="name" name="name" required maxlength={100} value={p.name ?? ""} />
      <label for="token">{p.withToken ? "Bot token from @BotFather" : "New token (leave empty to keep the current one)"}</label>
      <input id="token" name="token" type="password" autocomplete="off" required={p.withToken} placeholder="123456:ABC…" />
      <button type="submit" class="btn primary">
        {p.submit}
      </button>
    </form>
  );
}

async function list(c: Ctx) {
  const rows = await listBots(c.var.db);
  const csrf = c.get("csrfToken");
  // Write buttons only for the roles that may use them (the same rules as the routes they post to).
  const canManage = may(c, "bots");
  const canWebhook = may(c, "webhooks");
  return render(
    c,
    { title: "Bots" },
    <>
      <p>
        <a class="btn primary" href={`${BASE}new`}>
          + Add a bot
        </a>
      </p>
      {rows.length === 0 ? (
        <Empty title="No bots registered">
          Add one with its token from @BotFather; the token is checked with Telegram and stored encrypted.
        </Empty>
      ) : (
        <Table
          head={["Bot", "Active", "Webhook", "AI", "Created", "Actions"]}
          cellClass={[undefined, undefined, undefined, undefined, undefined, "actions"]}
          rows={rows.map((b) => [
            <>
              <a href={`${BASE}${b.id}`}>{b.name}</a>
              <br />
              <small class="muted">{b.username ? `@${b.username}` : ""}</small>
            </>,
            b.isActive ? <span class="tag status-running">active</span> : <span class="tag">inactive</span>,
            b.webhookUrl ? <small>{b.webhookUrl}</small> : <span class="muted">not set</span>,
            b.aiEnabled ? "on" : "off",
            fmtTime(b.createdAt),
            <>
              <a class="btn small" href={`${BASE}${b.id}`}>
                Edit
              </a>
              {canManage && <ActionButton action={`${BASE}${b.id}/activate`} csrf={csrf} label={b.isActive ? "Deactivate" : "Activate"} />}
              {canWebhook && (
                <>
                  <ActionButton action={`${BASE}${b.id}/webhook/set`} csrf={csrf} label="Set webhook" />
                  <ActionButton action={`${BASE}${b.id}/webhook/delete`} csrf={csrf} label="Delete webhook" kind="danger" />
                </>
              )}
              <a class="btn small" href={`${BASE}${b.id}/webhook`}>
                Webhook health
              </a>
              <a class="btn small" href={`/studio/social/telegram-stats/?bot_id=${b.id}`}>
                View channel statistics
              </a>
            </>,
          ])}
        />
      )}
    </>,
  );
}

function settingsPage(c: Ctx, bot: BotRow, values: FormValues, errors: FieldErrors, status: ContentfulStatusCode = 200) {
  return render(
    c,
    { title: `Settings of ${bot.name}`, styles: ["/css/settings.css"] },
    <>
      <p class="muted">
        {bot.username ? `@${bot.username} · ` : ""}bot #{bot.id} · <a href={BASE}>all bots</a> ·{" "}
        <a href={`${BASE}${bot.id}/webhook/`}>webhook health</a>
      </p>
      <BotSettingsForm csrf={c.get("csrfToken")} action={`${BASE}${bot.id}`} values={values} errors={errors} />
    </>,
    status,
  );
}

/** The service's refusals (409 name or token taken, a token Telegram rejects) go next to their field. */
function fieldOfRefusal(message: string): string {
  if (/token/i.test(message)) return "token";
  if (/name/i.test(message)) return "name";
  return "_form";
}

export const adminBotsPages = pagesApp()
  .get("/", list)
  .get("/new", (c) =>
    render(c, { title: "Add a bot" }, <BotForm csrf={c.get("csrfToken")} action={`${BASE}new`} withToken submit="Check token and add" />),
  )
  .post("/new", async (c) => {
    const f = await formFields(c);
    const res = await outcomeOf(c, () =>
      createBot(svc(c), parseWith(createBotSchema, { name: f.name ?? "", token: f.token ?? "" }, "body")),
    );
    if (!res.ok) {
      return render(
        c,
        { title: "Add a bot" },
        <>
          <div class="notice error" role="alert">
            {res.message}
          </div>
          <BotForm csrf={c.get("csrfToken")} action={`${BASE}new`} name={f.name} withToken submit="Check token and add" />
        </>,
        400,
      );
    }
    // The command menus were set while adding it; a failure there is said, and the bot stands.
    const menus = await menuStatus(c.var.db, res.value.id);
    const menuNote = menus.menus_failed > 0 ? ` Its command menus were not set at Telegram (${menus.last_error}); see Commands.` : "";
    return redirectWith(c, BASE, "ok", `Bot "${res.value.name}" added.${menuNote}`);
  })
  .get("/:id", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    return settingsPage(c, bot, formValuesOf(bot), {});
  })
  .post("/:id", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const f = await formFields(c);
    // What was typed stays in the form on a refusal, except the token (never echoed back).
    const typed = { ...formValuesOf(bot), ...f, token: "", is_active: f.is_active ?? "", ai_enabled: f.ai_enabled ?? "" };
    const parsed = patchFromForm(f);
    if (!parsed.ok) return settingsPage(c, bot, typed, parsed.errors, 400);
    const res = await outcomeOf(c, () => patchBot(svc(c), bot, parsed.input));
    if (!res.ok) return settingsPage(c, bot, typed, { [fieldOfRefusal(res.message)]: res.message }, res.status as ContentfulStatusCode);
    return redirectWith(c, `${BASE}${bot.id}`, "ok", `Bot "${res.value.name}" saved.`);
  })
  .post("/:id/activate", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const res = await outcomeOf(c, () => patchBot(svc(c), bot, { is_active: !bot.isActive }));
    return res.ok
      ? redirectWith(c, BASE, "ok", `Bot "${bot.name}" ${bot.isActive ? "deactivated" : "activated"}.`)
      : redirectWith(c, BASE, "error", res.message);
  })
  .post("/:id/webhook/:action{set|delete}", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const action = c.req.param("action");
    const res = await outcomeOf<unknown>(c, () => (action === "set" ? setWebhook(svc(c), bot, {}) : deleteWebhook(svc(c), bot, {})));
    return res.ok
      ? redirectWith(c, BASE, "ok", `Webhook ${action === "set" ? "set" : "deleted"} for "${bot.name}".`)
      : redirectWith(c, BASE, "error", `Webhook ${action} failed: ${res.message}`);
  });
