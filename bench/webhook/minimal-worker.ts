// The baselines: a Hono Worker that answers every webhook delivery 200 and does nothing
// else, and (under /persist/) the same answer after one D1 insert of the update, the
// least any design that stores an update before answering can do. The second line shows
// how much of the platform's gap to the first is the local D1 round trip itself.
import { Hono } from "hono";

type Env = { DB?: D1Database };

let tableReady: Promise<unknown> | undefined;

const app = new Hono<{ Bindings: Env }>();
app.get("/healthz", (c) => c.json({ ok: true }));
app.post("/persist/*", async (c) => {
  const db = c.env.DB;
  if (!db) return c.json({ ok: false, error: "no D1 binding" }, 500);
  tableReady ??= db.prepare("CREATE TABLE IF NOT EXISTS updates (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run();
  await tableReady;
  const body = await c.req.text();
  const { update_id } = JSON.parse(body) as { update_id: number };
  await db.prepare("INSERT OR IGNORE INTO updates (update_id, body) VALUES (?, ?)").bind(update_id, body).run();
  return c.json({ ok: true });
});
app.post("*", (c) => c.json({ ok: true }));

export default app;
