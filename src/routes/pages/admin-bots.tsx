// /admin/bots/: list, create, edit and activate bots, set/delete the webhook and show its
// info. Every write calls the same service as the JSON API (services/bots.ts, webhooks.ts),
// with the API's own input schemas, so the rules and their refusals are the same.
import { listBots, requireBot } from "../../db/bots";
import { parseWith } from "../../lib/validate";
import { createBotSchema, patchBotSchema } from "../../services/bot-input";
import { createBot, patchBot } from "../../services/bots";
import { menuStatus } from "../../services/command-menus";
import { deleteWebhook, setWebhook, webhookInfo } from "../../services/webhooks";
import { ActionButton, Csrf, Empty, fmtTime, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { type Ctx, formFields, outcomeOf, pagesApp, redirectWith, render } from "./common";

const BASE = "/admin/bots/";

function BotForm(p: { csrf?: string; action: string; name?: string; withToken: boolean; submit: string; welcome?: string | null }) {
  return (
    <form method="post" action={p.action} class="stack panel">
      <Csrf token={p.csrf} />
      <label for="name">Name (yours, unique)</label>
      <input id="name" name="name" required maxlength={100} value={p.name ?? ""} />
      <label for="token">{p.withToken ? "Bot token from @BotFather" : "New token (leave empty to keep the current one)"}</label>
      <input id="token" name="token" type="password" autocomplete="off" required={p.withToken} placeholder="123456:ABC…" />
      {p.withToken ? null : (
        <>
          <label for="welcome_text">Welcome text (/start)</label>
          <textarea id="welcome_text" name="welcome_text" rows={3}>
            {p.welcome ?? ""}
          </textarea>
        </>
      )}
      <button type="submit" class="btn primary">
        {p.submit}
      </button>
    </form>
  );
}

async function list(c: Ctx) {
  const rows = await listBots(c.var.db);
  const csrf = c.get("csrfToken");
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
              <ActionButton action={`${BASE}${b.id}/activate`} csrf={csrf} label={b.isActive ? "Deactivate" : "Activate"} />
              <ActionButton action={`${BASE}${b.id}/webhook/set`} csrf={csrf} label="Set webhook" />
              <ActionButton action={`${BASE}${b.id}/webhook/delete`} csrf={csrf} label="Delete webhook" kind="danger" />
              <a class="btn small" href={`${BASE}${b.id}/webhook`}>
                Webhook info
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
    return render(
      c,
      { title: `Edit ${bot.name}` },
      <BotForm
        csrf={c.get("csrfToken")}
        action={`${BASE}${bot.id}`}
        name={bot.name}
        welcome={bot.welcomeText}
        withToken={false}
        submit="Save"
      />,
    );
  })
  .post("/:id", async (c) => {
    const id = Number(c.req.param("id"));
    const f = await formFields(c);
    const patch: Record<string, unknown> = { name: f.name ?? "", welcome_text: f.welcome_text?.trim() ? f.welcome_text : null };
    if (f.token?.trim()) patch.token = f.token.trim();
    const res = await outcomeOf(c, async () => patchBot(svc(c), await requireBot(c.var.db, id), parseWith(patchBotSchema, patch, "body")));
    return res.ok ? redirectWith(c, BASE, "ok", "Bot saved.") : redirectWith(c, `${BASE}${id}`, "error", res.message);
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
  })
  .get("/:id/webhook", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const res = await outcomeOf(c, () => webhookInfo(svc(c), bot));
    return render(
      c,
      { title: `Webhook of ${bot.name}` },
      <>
        {res.ok ? (
          <pre class="panel json">{JSON.stringify(res.value, null, 2)}</pre>
        ) : (
          <div class="notice error" role="alert">
            {res.message}
          </div>
        )}
        <p>
          <a href={BASE}>Back to bots</a>
        </p>
      </>,
    );
  });
