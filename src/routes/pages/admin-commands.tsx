// /admin/commands/: the bots' custom commands (create, edit, delete) and their command menus
// at Telegram. A command answers with a fixed reply (with optional buttons under it), or
// names a handler registered in code; it is listed in the menus of the audiences it names.
// Writes call the commands service with the API's own schemas; each one also syncs the
// bot's menus with Telegram, and "Sync menus" sets them all again on demand.

import { asc, eq } from "drizzle-orm";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { listBots, requireBot } from "../../db/bots";
import { botCommands, bots, type CommandAudience } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { parseWith } from "../../lib/validate";
import { createCommandSchema, patchCommandSchema } from "../../services/command-input";
import { menuStatus, syncCommandMenus } from "../../services/command-menus";
import { createCommand, deleteCommand, patchCommand, requireCommand, type SyncResult } from "../../services/commands";
import { ALL_AUDIENCES, DEFAULT_AUDIENCES } from "../../telegram/commands/menus";
import { type BotMenuState, CommandPreview, MenuStateText } from "../../views/command-preview";
import { ActionButton, type BotOption, BotSelect, Csrf, clip, Empty, Notice, Pager, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { type Ctx, formFields, outcomeOf, pageRows, pagesApp, paging, redirectWith, render } from "./common";

const BASE = "/admin/commands/";

type CommandRow = typeof botCommands.$inferSelect;

/** What the form shows: a stored row, or what was just submitted (kept when it is refused). */
interface FormValues {
  botId?: number;
  command: string;
  description: string;
  descriptionRu: string;
  audiences: readonly CommandAudience[];
  replyText: string;
  handlerName: string;
  keyboard: string;
  isActive: boolean;
}

const AUDIENCE_LABELS: Record<CommandAudience, string> = {
  private: "private chats",
  groups: "groups (every member)",
  admins: "group administrators only",
};

const KEYBOARD_HELP =
  'Rows of buttons, as JSON: [[{"text": "Website", "url": "https://example.com"}, {"text": "Prices", "callback_reply": "From 10 €"}]]. ' +
  'A reply button answers the press with its text (add "edit": true to replace the message\'s text instead). Leave empty for none.';

/** The stored keyboard as the form shows it: a row a line, each button on it as compact JSON. */
function keyboardText(k: CommandRow["keyboard"]): string {
  if (!k?.length) return "";
  return `[\n${k.map((row) => `  [${row.map((b) => JSON.stringify(b)).join(", ")}]`).join(",\n")}\n]`;
}

function valuesOf(r: CommandRow): FormValues {
  return {
    botId: r.botId,
    command: r.command,
    description: r.description,
    descriptionRu: r.descriptionRu ?? "",
    audiences: r.audiences,
    replyText: r.replyText ?? "",
    handlerName: r.handlerName ?? "",
    keyboard: keyboardText(r.keyboard),
    isActive: r.isActive,
  };
}

const EMPTY: FormValues = {
  command: "",
  description: "",
  descriptionRu: "",
  audiences: DEFAULT_AUDIENCES,
  replyText: "",
  handlerName: "",
  keyboard: "",
  isActive: true,
};

function CommandForm(p: { csrf?: string; bots: BotOption[]; action: string; v: FormValues; isNew: boolean; submit: string }) {
  const v = p.v;
  return (
    <form method="post" action={p.action} class="stack panel">
      <Csrf token={p.csrf} />
      {p.isNew ? (
        <>
          <label for="bot_id">Bot</label>
          <BotSelect bots={p.bots} selected={v.botId} />
        </>
      ) : null}
      <label for="command">Command (without the slash)</label>
      <input id="command" name="command" required maxlength={33} value={v.command} pattern="/?[A-Za-z0-9_]{1,32}" />
      <label for="description">Description in the command menu (English and every language without its own)</label>
      <input id="description" name="description" maxlength={256} value={v.description} />
      <label for="description_ru">Description in Russian (optional)</label>
      <input id="description_ru" name="description_ru" maxlength={256} value={v.descriptionRu} />
      <fieldset class="stack">
        <legend>Listed in the menu of</legend>
        <input type="hidden" name="audiences_shown" value="1" />
        {ALL_AUDIENCES.map((a) => (
          <label class="check">
            <input type="checkbox" name={`audience_${a}`} value="1" checked={v.audiences.includes(a)} /> {AUDIENCE_LABELS[a]}
          </label>
        ))}
        <small class="muted">The menus only list it: the command works wherever it is typed.</small>
      </fieldset>
      <label for="reply_text">Reply text</label>
      <textarea id="reply_text" name="reply_text" rows={4}>
        {v.replyText}
      </textarea>
      <label for="keyboard">Buttons under the reply (optional)</label>
      <textarea id="keyboard" name="keyboard" rows={8} class="mono" placeholder='[[{"text": "Website", "url": "https://example.com"}]]'>
        {v.keyboard}
      </textarea>
      <small class="muted">{KEYBOARD_HELP}</small>
      <label for="handler_name">Or a handler registered in code (optional)</label>
      <input id="handler_name" name="handler_name" value={v.handlerName} />
      <label class="check">
        <input type="checkbox" name="is_active" value="1" checked={v.isActive} /> Active
      </label>
      <button type="submit" class="btn primary">
        {p.submit}
      </button>
    </form>
  );
}

async function botOptions(c: Ctx): Promise<BotOption[]> {
  return (await listBots(c.var.db)).map((b) => ({ id: b.id, name: b.name, username: b.username }));
}

/** The submitted form, as the form shows it again and as the commands API's JSON. */
async function readForm(c: Ctx): Promise<{ v: FormValues; body: () => Record<string, unknown> }> {
  const f = await formFields(c);
  // A form without the audience boxes (an older page, a script) leaves the audiences as they are.
  const audiencesShown = f.audiences_shown === "1";
  const v: FormValues = {
    botId: Number(f.bot_id) || undefined,
    command: f.command ?? "",
    description: f.description ?? "",
    descriptionRu: f.description_ru ?? "",
    audiences: audiencesShown ? ALL_AUDIENCES.filter((a) => f[`audience_${a}`] === "1") : DEFAULT_AUDIENCES,
    replyText: f.reply_text ?? "",
    handlerName: f.handler_name ?? "",
    keyboard: f.keyboard ?? "",
    isActive: f.is_active === "1",
  };
  // Exactly one of reply_text and handler_name; buttons only with a reply (the schema says why otherwise).
  const body = () => {
    const handler = v.handlerName.trim() || null;
    let keyboard: unknown = null;
    if (v.keyboard.trim()) {
      try {
        keyboard = JSON.parse(v.keyboard);
      } catch {
        throw new AppError("BAD_REQUEST", "Invalid body: keyboard: not valid JSON (rows of buttons: [[{...}, {...}], [{...}]])");
      }
    }
    return {
      command: v.command,
      description: v.description,
      description_ru: v.descriptionRu.trim() || null,
      ...(audiencesShown && { audiences: v.audiences }),
      reply_text: handler ? null : v.replyText.trim() ? v.replyText : null,
      handler_name: handler,
      keyboard,
      is_active: v.isActive,
      bot_id: v.botId ?? 0,
    };
  };
  return { v, body };
}

/** Where the menu sync with Telegram failed, say so; the stored change stands. */
function syncNote({ sync }: { sync: SyncResult }): string {
  return !sync.ok ? ` (Telegram's command menus were not updated: ${sync.error ?? "unknown error"})` : "";
}

async function menuStates(c: Ctx): Promise<BotMenuState[]> {
  const all = await listBots(c.var.db);
  return Promise.all(
    all.map(async (b) => {
      const s = await menuStatus(c.var.db, b.id);
      return {
        id: b.id,
        name: b.name,
        syncedAt: s.synced_at,
        lastAttemptAt: s.last_attempt_at,
        failed: s.menus_failed,
        lastError: s.last_error,
      };
    }),
  );
}

function MenusPanel({ states, csrf }: { states: BotMenuState[]; csrf?: string }) {
  if (states.length === 0) return null;
  return (
    <section class="panel">
      <h2>Command menus at Telegram</h2>
      <p class="muted">
        Each bot has a menu for private chats, groups and group administrators, in English and Russian. They are set when a bot is
        registered, when its webhook is set and after every change here; only the lists that changed are sent.
      </p>
      <Table
        head={["Bot", "Menus", "Actions"]}
        cellClass={[undefined, undefined, "actions"]}
        rows={states.map((s) => [
          s.name,
          <MenuStateText s={s} />,
          <ActionButton action={`${BASE}sync/${s.id}`} csrf={csrf} label="Sync menus now" />,
        ])}
      />
    </section>
  );
}

function formPage(c: Ctx, title: string, body: Child, error?: { status: number; message: string }) {
  return render(
    c,
    { title },
    <>
      {error ? <Notice kind="error">{error.message}</Notice> : null}
      {body}
    </>,
    (error?.status ?? 200) as ContentfulStatusCode,
  );
}

export const adminCommandsPages = pagesApp()
  .get("/", async (c) => {
    const pg = paging(c);
    const found = await c.var.db
      .select({ cmd: botCommands, botName: bots.name })
      .from(botCommands)
      .leftJoin(bots, eq(bots.id, botCommands.botId))
      .orderBy(asc(botCommands.botId), asc(botCommands.command))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    const csrf = c.get("csrfToken");
    return render(
      c,
      { title: "Commands" },
      <>
        <p>
          <a class="btn primary" href={`${BASE}new`}>
            + New command
          </a>
        </p>
        {rows.length === 0 ? (
          <Empty title="No custom commands">
            The built-in commands (/start, /help, /info, /contact, /news, /games, /feedback, /settings) always work; add your own here.
          </Empty>
        ) : (
          <Table
            head={["Command", "Bot", "Reply", "Menus", "Active", "Actions"]}
            cellClass={[undefined, undefined, undefined, undefined, undefined, "actions"]}
            rows={rows.map(({ cmd, botName }) => [
              <>
                <code>/{cmd.command}</code>
                <br />
                <small class="muted">{cmd.description}</small>
              </>,
              botName ?? "—",
              <>
                {cmd.handlerName ? <em>handler {cmd.handlerName}</em> : clip(cmd.replyText, 120)}
                {cmd.keyboard?.length ? (
                  <>
                    <br />
                    <small class="muted">
                      + {cmd.keyboard.flat().length} button{cmd.keyboard.flat().length === 1 ? "" : "s"}
                    </small>
                  </>
                ) : null}
              </>,
              cmd.audiences.join(", "),
              cmd.isActive ? "yes" : "no",
              <>
                <a class="btn small" href={`${BASE}${cmd.id}`}>
                  Edit
                </a>
                <ActionButton
                  action={`${BASE}${cmd.id}/delete`}
                  csrf={csrf}
                  label="Delete"
                  kind="danger"
                  confirm={`Delete /${cmd.command}?`}
                />
              </>,
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
        <MenusPanel states={await menuStates(c)} csrf={csrf} />
      </>,
    );
  })
  .get("/new", async (c) =>
    formPage(
      c,
      "New command",
      <CommandForm csrf={c.get("csrfToken")} bots={await botOptions(c)} action={`${BASE}new`} v={EMPTY} isNew submit="Create" />,
    ),
  )
  .post("/new", async (c) => {
    const { v, body } = await readForm(c);
    const res = await outcomeOf(c, () => createCommand(svc(c), parseWith(createCommandSchema, body(), "body")));
    if (!res.ok)
      return formPage(
        c,
        "New command",
        <CommandForm csrf={c.get("csrfToken")} bots={await botOptions(c)} action={`${BASE}new`} v={v} isNew submit="Create" />,
        res,
      );
    return redirectWith(c, `${BASE}${res.value.row.id}`, "ok", `Command /${res.value.row.command} created.${syncNote(res.value)}`);
  })
  .get("/:id{[0-9]+}", async (c) => {
    const row = await c.var.db
      .select()
      .from(botCommands)
      .where(eq(botCommands.id, Number(c.req.param("id"))))
      .get();
    if (!row) throw new AppError("NOT_FOUND", "This command no longer exists");
    return formPage(
      c,
      `Edit /${row.command}`,
      <div class="split">
        <CommandForm csrf={c.get("csrfToken")} bots={[]} action={`${BASE}${row.id}`} v={valuesOf(row)} isNew={false} submit="Save" />
        <CommandPreview command={row.command} replyText={row.replyText} handlerName={row.handlerName} keyboard={row.keyboard} />
      </div>,
    );
  })
  .post("/:id{[0-9]+}", async (c) => {
    const id = Number(c.req.param("id"));
    const { v, body } = await readForm(c);
    const res = await outcomeOf(c, async () => {
      const { bot_id: _bot, ...patch } = body();
      return patchCommand(svc(c), await requireCommand(c.var.db, id), parseWith(patchCommandSchema, patch, "body"));
    });
    if (!res.ok)
      return formPage(
        c,
        "Edit command",
        <CommandForm csrf={c.get("csrfToken")} bots={[]} action={`${BASE}${id}`} v={v} isNew={false} submit="Save" />,
        res,
      );
    return redirectWith(c, `${BASE}${id}`, "ok", `Command /${res.value.row.command} saved.${syncNote(res.value)}`);
  })
  .post("/:id{[0-9]+}/delete", async (c) => {
    const res = await outcomeOf(c, () => deleteCommand(svc(c), Number(c.req.param("id"))));
    return res.ok ? redirectWith(c, BASE, "ok", `Command deleted.${syncNote(res.value)}`) : redirectWith(c, BASE, "error", res.message);
  })
  .post("/sync/:bot_id{[0-9]+}", async (c) => {
    const res = await outcomeOf(c, async () => {
      const bot = await requireBot(c.var.db, Number(c.req.param("bot_id")));
      return { bot, sync: await syncCommandMenus(svc(c), bot, { force: true }) };
    });
    if (!res.ok) return redirectWith(c, BASE, "error", res.message);
    const { bot, sync } = res.value;
    return sync.ok
      ? redirectWith(c, BASE, "ok", `Command menus of ${bot.name} set at Telegram (${sync.calls} lists).`)
      : redirectWith(c, BASE, "error", `Command menus of ${bot.name}: ${sync.errors.length} of ${sync.calls} lists not set: ${sync.error}`);
  });
