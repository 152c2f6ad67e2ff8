// /admin/commands/: the bots' custom commands (create, edit, delete). A command answers
// with a fixed reply, or names a handler registered in code. Writes call the commands
// service with the API's own schemas; it also syncs the bot's command menu with Telegram.
import { asc, eq } from "drizzle-orm";
import { listBots } from "../../db/bots";
import { botCommands, bots } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { parseWith } from "../../lib/validate";
import { createCommandSchema, patchCommandSchema } from "../../services/command-input";
import { createCommand, deleteCommand, patchCommand, requireCommand, type SyncResult } from "../../services/commands";
import { ActionButton, type BotOption, BotSelect, Csrf, clip, Empty, Pager, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { type Ctx, formFields, outcomeOf, pageRows, pagesApp, paging, redirectWith, render } from "./common";

const BASE = "/admin/commands/";

type CommandRow = typeof botCommands.$inferSelect;

function CommandForm(p: { csrf?: string; bots: BotOption[]; action: string; row?: Partial<CommandRow>; submit: string }) {
  const r = p.row ?? {};
  return (
    <form method="post" action={p.action} class="stack panel">
      <Csrf token={p.csrf} />
      {r.id ? null : (
        <>
          <label for="bot_id">Bot</label>
          <BotSelect bots={p.bots} selected={r.botId} />
        </>
      )}
      <label for="command">Command (without the slash)</label>
      <input id="command" name="command" required maxlength={33} value={r.command ?? ""} pattern="/?[A-Za-z0-9_]{1,32}" />
      <label for="description">Description (shown in Telegram's command menu)</label>
      <input id="description" name="description" maxlength={256} value={r.description ?? ""} />
      <label for="reply_text">Reply text</label>
      <textarea id="reply_text" name="reply_text" rows={4}>
        {r.replyText ?? ""}
      </textarea>
      <label for="handler_name">Or a handler registered in code (optional)</label>
      <input id="handler_name" name="handler_name" value={r.handlerName ?? ""} />
      <label class="check">
        <input type="checkbox" name="is_active" value="1" checked={r.isActive ?? true} /> Active
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

/** The form as the commands API's JSON: exactly one of reply_text and handler_name. */
async function commandBody(c: Ctx) {
  const f = await formFields(c);
  const handler = f.handler_name?.trim() || null;
  return {
    command: f.command ?? "",
    description: (f.description ?? "").trim(),
    reply_text: handler ? null : f.reply_text?.trim() ? f.reply_text : null,
    handler_name: handler,
    is_active: f.is_active === "1",
    bot_id: Number(f.bot_id),
  };
}

/** Where the menu sync with Telegram failed, say so; the stored change stands. */
function syncNote({ sync }: { sync: SyncResult }): string {
  return !sync.ok ? ` (Telegram's command menu was not updated: ${sync.error ?? "unknown error"})` : "";
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
            head={["Command", "Bot", "Reply", "Active", "Actions"]}
            cellClass={[undefined, undefined, undefined, undefined, "actions"]}
            rows={rows.map(({ cmd, botName }) => [
              <>
                <code>/{cmd.command}</code>
                <br />
                <small class="muted">{cmd.description}</small>
              </>,
              botName ?? "—",
              cmd.handlerName ? <em>handler {cmd.handlerName}</em> : clip(cmd.replyText, 120),
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
      </>,
    );
  })
  .get("/new", async (c) =>
    render(
      c,
      { title: "New command" },
      <CommandForm csrf={c.get("csrfToken")} bots={await botOptions(c)} action={`${BASE}new`} submit="Create" />,
    ),
  )
  .post("/new", async (c) => {
    const body = await commandBody(c);
    const res = await outcomeOf(c, () => createCommand(svc(c), parseWith(createCommandSchema, body, "body")));
    if (!res.ok) return redirectWith(c, `${BASE}new`, "error", res.message);
    return redirectWith(c, BASE, "ok", `Command /${body.command.replace(/^\//, "")} created.${syncNote(res.value)}`);
  })
  .get("/:id{[0-9]+}", async (c) => {
    const row = await c.var.db
      .select()
      .from(botCommands)
      .where(eq(botCommands.id, Number(c.req.param("id"))))
      .get();
    if (!row) throw new AppError("NOT_FOUND", "This command no longer exists");
    return render(
      c,
      { title: `Edit /${row.command}` },
      <CommandForm csrf={c.get("csrfToken")} bots={await botOptions(c)} action={`${BASE}${row.id}`} row={row} submit="Save" />,
    );
  })
  .post("/:id{[0-9]+}", async (c) => {
    const id = Number(c.req.param("id"));
    const { bot_id: _bot, ...patch } = await commandBody(c);
    const res = await outcomeOf(c, async () =>
      patchCommand(svc(c), await requireCommand(c.var.db, id), parseWith(patchCommandSchema, patch, "body")),
    );
    if (!res.ok) return redirectWith(c, `${BASE}${id}`, "error", res.message);
    return redirectWith(c, BASE, "ok", `Command /${patch.command.replace(/^\//, "")} saved.${syncNote(res.value)}`);
  })
  .post("/:id{[0-9]+}/delete", async (c) => {
    const res = await outcomeOf(c, () => deleteCommand(svc(c), Number(c.req.param("id"))));
    return res.ok ? redirectWith(c, BASE, "ok", `Command deleted.${syncNote(res.value)}`) : redirectWith(c, BASE, "error", res.message);
  });
