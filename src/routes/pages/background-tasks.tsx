// GET /telegram/background-tasks/: every task with its status, last run and last error.
// The start/stop buttons post to the tasks surface's own endpoints
// (POST /telegram/background-tasks/{id}/start/ and .../stop/) with the CSRF token; creating
// and deleting (admins) post here and call the same task service as POST/DELETE /api/tasks,
// with the config checked per kind (src/tasks/task-config.ts). Each form is shown only to
// the roles that may use it.
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { listBots, requireBot } from "../../db/bots";
import { backgroundTasks, bots } from "../../db/schema";
import { parseWith } from "../../lib/validate";
import { createTask, deleteTask, startTask } from "../../services/tasks";
import { TASK_KIND_HELP, TASK_KINDS } from "../../tasks/task-config";
import { ActionButton, BotSelect, Csrf, clip, Empty, fmtTime, Pager } from "../../views/components";
import { type Ctx, formFields, may, outcomeOf, pageRows, pagesApp, paging, redirectWith, render } from "./common";

const BASE = "/telegram/background-tasks/";

const newTaskForm = z.object({
  bot_id: z.coerce.number().int().positive("choose a bot"),
  kind: z.enum(TASK_KINDS),
  name: z.string().trim().max(100).optional(),
  broadcast_id: z.string().optional(),
  start: z.string().optional(),
});

async function NewTaskForm({ c }: { c: Ctx }) {
  const all = (await listBots(c.var.db)).map((b) => ({ id: b.id, name: b.name, username: b.username }));
  if (all.length === 0) return <p class="muted">Add a bot first (Bots page) to give it tasks.</p>;
  return (
    <details class="panel" open={c.req.query("new") !== undefined}>
      <summary>Create a task</summary>
      <form method="post" action={`${BASE}new`} class="stack" id="new-task">
        <Csrf token={c.get("csrfToken")} />
        <label for="bot_id">Bot</label>
        <BotSelect bots={all} />
        <label for="kind">Kind</label>
        <select id="kind" name="kind">
          {TASK_KINDS.map((k) => (
            <option value={k}>
              {k}: {TASK_KIND_HELP[k]}
            </option>
          ))}
        </select>
        <label for="name">Name (optional)</label>
        <input id="name" name="name" maxlength={100} placeholder="e.g. Nightly statistics" />
        <label for="broadcast_id">Broadcast id (broadcast tasks only)</label>
        <input id="broadcast_id" name="broadcast_id" inputmode="numeric" pattern="[0-9]*" placeholder="from the Broadcasts page" />
        <label>
          <input type="checkbox" name="start" value="1" checked /> Start it now
        </label>
        <button type="submit" class="btn primary">
          Create
        </button>
      </form>
    </details>
  );
}

export const backgroundTasksPages = pagesApp()
  .get("/", async (c) => {
    const pg = paging(c);
    const found = await c.var.db
      .select({
        id: backgroundTasks.id,
        kind: backgroundTasks.kind,
        name: backgroundTasks.name,
        status: backgroundTasks.status,
        isActive: backgroundTasks.isActive,
        lastRunAt: backgroundTasks.lastRunAt,
        lastError: backgroundTasks.lastError,
        attempts: backgroundTasks.attempts,
        startedAt: backgroundTasks.startedAt,
        botName: bots.name,
      })
      .from(backgroundTasks)
      .leftJoin(bots, eq(bots.id, backgroundTasks.botId))
      .orderBy(asc(backgroundTasks.botId), asc(backgroundTasks.id))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    const csrf = c.get("csrfToken");
    const canRun = may(c, "tasks");
    const canManage = may(c, "tasks-manage");
    return render(
      c,
      { title: "Background tasks", scripts: ["/js/tasks.js"] },
      <>
        <p>
          <a class="btn" href="/telegram/broadcasts/">
            Broadcasts
          </a>
        </p>
        {canManage ? <NewTaskForm c={c} /> : null}
        {rows.length === 0 ? (
          <Empty title="No background tasks yet">
            Tasks (polling, AI chat, statistics, broadcasts) run per bot in its coordinator.{" "}
            {canManage ? "Create one above; broadcasts are composed on the Broadcasts page." : "An admin creates them."}
          </Empty>
        ) : (
          <>
            {canRun ? (
              <div class="toolbar">
                {(["start", "stop"] as const).map((action) => (
                  <form
                    method="post"
                    action={`/telegram/background-tasks/${action}-all/`}
                    class="inline"
                    data-task-action={`${action}-all`}
                  >
                    <Csrf token={csrf} />
                    <button type="submit" class={`btn small ${action === "stop" ? "danger" : "primary"}`}>
                      {action === "start" ? "Start all" : "Stop all"}
                    </button>
                  </form>
                ))}
              </div>
            ) : null}
            <div class="table-wrap">
              <table class="data">
                <thead>
                  <tr>
                    <th>Task</th>
                    <th>Bot</th>
                    <th>Status</th>
                    <th>Last run</th>
                    <th>Last error</th>
                    {canRun ? <th>Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((t) => (
                    <tr data-task-id={String(t.id)}>
                      <td>
                        <strong>{t.name ?? t.kind}</strong>
                        <br />
                        <small class="muted">
                          #{t.id} · {t.kind}
                        </small>
                      </td>
                      <td>{t.botName ?? "—"}</td>
                      <td>
                        <span class={`tag status-${t.status}`}>{t.status}</span>
                        {/* "kept running": the cron starts it again; a finished task has nothing left to run. */}
                        {t.isActive && t.status !== "completed" ? <small class="muted"> (kept running)</small> : null}
                      </td>
                      <td>{fmtTime(t.lastRunAt)}</td>
                      <td class="err" title={t.lastError ?? ""}>
                        {clip(t.lastError, 120)}
                      </td>
                      {canRun ? (
                        <td class="actions">
                          {(["start", "stop"] as const).map((action) => (
                            <form
                              method="post"
                              action={`/telegram/background-tasks/${t.id}/${action}/`}
                              class="inline"
                              data-task-action={action}
                            >
                              <Csrf token={csrf} />
                              <button
                                type="submit"
                                class={`btn small ${action === "stop" ? "danger" : ""}`}
                                disabled={action === "start" ? t.status === "running" : t.status !== "running" && !t.isActive}
                              >
                                {action === "start" ? "Start" : "Stop"}
                              </button>
                            </form>
                          ))}
                          {canManage ? (
                            <ActionButton
                              action={`${BASE}${t.id}/delete`}
                              csrf={csrf}
                              label="Delete"
                              kind="danger"
                              confirm="Stop and delete this task?"
                            />
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .post("/new", async (c) => {
    const f = await formFields(c);
    const res = await outcomeOf(c, async () => {
      const v = parseWith(newTaskForm, f, "form");
      await requireBot(c.var.db, v.bot_id);
      const config = v.kind === "broadcast" ? { broadcast_id: v.broadcast_id ? Number(v.broadcast_id) : undefined } : {};
      const row = await createTask(c.var.db, { botId: v.bot_id, kind: v.kind, name: v.name || null, config });
      if (v.start) await startTask(c.env, c.var.db, row.id);
      return row;
    });
    return res.ok
      ? redirectWith(c, BASE, "ok", `Task #${res.value.id} (${res.value.kind}) created${f.start ? " and started" : ""}.`)
      : redirectWith(c, `${BASE}?new`, "error", res.message);
  })
  .post("/:task_id{[0-9]+}/delete", async (c) => {
    const id = Number(c.req.param("task_id"));
    const res = await outcomeOf(c, () => deleteTask(c.env, c.var.db, id));
    return res.ok ? redirectWith(c, BASE, "ok", `Task #${id} deleted.`) : redirectWith(c, BASE, "error", res.message);
  });
