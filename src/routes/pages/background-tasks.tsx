// GET /telegram/background-tasks/: every task with its status, last run and last error.
// The start/stop buttons post to the tasks surface's own endpoints
// (POST /telegram/background-tasks/{id}/start/ and .../stop/) with the CSRF token.
import { asc, eq } from "drizzle-orm";
import { backgroundTasks, bots } from "../../db/schema";
import { Csrf, clip, Empty, fmtTime, Pager } from "../../views/components";
import { pageRows, pagesApp, paging, render } from "./common";

export const backgroundTasksPages = pagesApp().get("/", async (c) => {
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
  return render(
    c,
    { title: "Background tasks", scripts: ["/js/tasks.js"] },
    <>
      {rows.length === 0 ? (
        <Empty title="No background tasks yet">
          Tasks (polling, AI chat, statistics, broadcasts) are created per bot by the tasks API or the CLI; they show up here with start and
          stop buttons.
        </Empty>
      ) : (
        <>
          <div class="toolbar">
            {(["start", "stop"] as const).map((action) => (
              <form method="post" action={`/telegram/background-tasks/${action}-all/`} class="inline" data-task-action={`${action}-all`}>
                <Csrf token={csrf} />
                <button type="submit" class={`btn small ${action === "stop" ? "danger" : "primary"}`}>
                  {action === "start" ? "Start all" : "Stop all"}
                </button>
              </form>
            ))}
          </div>
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Task</th>
                  <th>Bot</th>
                  <th>Status</th>
                  <th>Last run</th>
                  <th>Last error</th>
                  <th>Actions</th>
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
                      {t.isActive ? <small class="muted"> (kept running)</small> : null}
                    </td>
                    <td>{fmtTime(t.lastRunAt)}</td>
                    <td class="err" title={t.lastError ?? ""}>
                      {clip(t.lastError, 120)}
                    </td>
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
                    </td>
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
});
