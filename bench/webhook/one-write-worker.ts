// The second baseline: the least a design that makes an update durable before answering can
// do with a Durable Object. Every delivery is one RPC into the bot's Durable Object, which
// inserts the update into its SQLite (update_id dedupes), and then the answer is 200, as the
// platform's webhook answers once the update is in its coordinator's inbox. Nothing is
// handled afterwards: its end-to-end throughput is its accept throughput.
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

type Env = { INBOX: DurableObjectNamespace<OneWriteInbox> };

export class OneWriteInbox extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL, received_at INTEGER NOT NULL)",
    );
  }

  async accept(updateId: number, body: string): Promise<{ duplicate: boolean }> {
    const r = this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)",
      updateId,
      body,
      Date.now(),
    );
    return { duplicate: r.rowsWritten === 0 };
  }

  async count(): Promise<number> {
    return Number(this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n);
  }
}

const app = new Hono<{ Bindings: Env }>();
app.get("/healthz", (c) => c.json({ ok: true }));
app.get("/count/:bot_id", async (c) => c.json({ stored: await c.env.INBOX.get(c.env.INBOX.idFromName(c.req.param("bot_id"))).count() }));
app.post("/telegram/webhook/:bot_id/*", async (c) => {
  const text = await c.req.text();
  const { update_id } = JSON.parse(text) as { update_id: number };
  const inbox = c.env.INBOX.get(c.env.INBOX.idFromName(c.req.param("bot_id")));
  const { duplicate } = await inbox.accept(update_id, text);
  return c.json({ ok: true, status: duplicate ? "duplicate" : "accepted" });
});

export default app;
