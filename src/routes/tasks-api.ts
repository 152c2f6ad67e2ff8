// Background tasks over HTTP. The seed's paths (/telegram/background-tasks/{id}/start/ ...)
// and the JSON API (/api/tasks). The page GET /telegram/background-tasks/ is the dashboard's.
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { idParam, jsonBody, parseWith, queryOf } from "../lib/validate";
import { createTask, deleteTask, listTasks, publicTask, startOrStopAll, startTask, stopTask, taskStatus } from "../services/tasks";
import { TASK_KINDS } from "../tasks/task-config";

const kindSchema = z.enum(TASK_KINDS);
const statusSchema = z.enum(["stopped", "running", "failed", "completed"]);
const botIdSchema = z.coerce.number().int().positive();

const createSchema = z.strictObject({
  bot_id: z.number().int().positive(),
  kind: kindSchema,
  name: z.string().trim().max(100).nullish(),
  config: z.record(z.string(), z.unknown()).optional(),
  start: z.boolean().optional(),
});

const listQuery = z.object({ bot_id: botIdSchema.optional(), kind: kindSchema.optional(), status: statusSchema.optional() });

/** start-all / stop-all take an optional bot_id in a JSON body, a form or the query. */
async function optionalBotId(c: Context<AppEnv>): Promise<number | undefined> {
  const type = c.req.header("content-type") ?? "";
  let raw: unknown = c.req.query("bot_id");
  if (type.includes("application/json")) {
    const body = parseWith(z.object({ bot_id: z.number().int().positive().optional() }), await c.req.json().catch(() => ({})), "body");
    raw = body.bot_id ?? raw;
  } else if (type.includes("form")) {
    const v = (await c.req.parseBody()).bot_id;
    if (typeof v === "string" && v !== "") raw = v;
  }
  return raw === undefined || raw === "" ? undefined : parseWith(botIdSchema, raw, "bot_id");
}

/** A dashboard form gets sent back to the page; API clients get JSON. */
function answer(c: Context<AppEnv>, body: unknown) {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("form") && (c.req.header("accept") ?? "").includes("text/html")) return c.redirect("/telegram/background-tasks/", 303);
  return c.json(body);
}

/** GET list of tasks, filtered by ?bot_id&kind&status (shared by /api/tasks and the page's JSON twin). */
async function listAnswer(c: Context<AppEnv>) {
  const q = queryOf(c, listQuery);
  const rows = await listTasks(c.var.db, { botId: q.bot_id, kind: q.kind, status: q.status });
  return c.json({ count: rows.length, results: rows.map(publicTask) });
}

export const backgroundTasksRoutes = new Hono<AppEnv>()
  // GET /telegram/background-tasks/ is the dashboard page for browsers; an API client
  // (whose Accept does not ask for HTML) gets the same list as GET /api/tasks.
  .get("/", async (c, next) => {
    if ((c.req.header("accept") ?? "").includes("text/html")) return next();
    return listAnswer(c);
  })
  .post("/start-all", async (c) => {
    const results = await startOrStopAll(c.env, c.var.db, "start", await optionalBotId(c));
    return answer(c, { count: results.length, results });
  })
  .post("/stop-all", async (c) => {
    const results = await startOrStopAll(c.env, c.var.db, "stop", await optionalBotId(c));
    return answer(c, { count: results.length, results });
  })
  .post("/:task_id/start", async (c) => answer(c, await startTask(c.env, c.var.db, idParam(c, "task_id", "Task"))))
  .post("/:task_id/stop", async (c) => answer(c, await stopTask(c.env, c.var.db, idParam(c, "task_id", "Task"))))
  .get("/:task_id/status", async (c) => c.json(await taskStatus(c.env, c.var.db, idParam(c, "task_id", "Task"))));

export const tasksApi = new Hono<AppEnv>()
  .get("/", listAnswer)
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    const row = await createTask(c.var.db, { botId: body.bot_id, kind: body.kind, name: body.name, config: body.config });
    const task = body.start ? await startTask(c.env, c.var.db, row.id) : publicTask(row);
    return c.json(task, 201);
  })
  .post("/start-all", async (c) => {
    const results = await startOrStopAll(c.env, c.var.db, "start", await optionalBotId(c));
    return c.json({ count: results.length, results });
  })
  .post("/stop-all", async (c) => {
    const results = await startOrStopAll(c.env, c.var.db, "stop", await optionalBotId(c));
    return c.json({ count: results.length, results });
  })
  .get("/:id", async (c) => c.json(await taskStatus(c.env, c.var.db, idParam(c, "id", "Task"))))
  .post("/:id/start", async (c) => c.json(await startTask(c.env, c.var.db, idParam(c, "id", "Task"))))
  .post("/:id/stop", async (c) => c.json(await stopTask(c.env, c.var.db, idParam(c, "id", "Task"))))
  .delete("/:id", async (c) => {
    const id = idParam(c, "id", "Task");
    await deleteTask(c.env, c.var.db, id);
    return c.json({ deleted: true, id });
  });
