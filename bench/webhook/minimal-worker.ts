// The baseline: a Hono Worker that answers every webhook delivery 200 and does nothing else.
import { Hono } from "hono";

const app = new Hono();
app.get("/healthz", (c) => c.json({ ok: true }));
app.post("*", (c) => c.json({ ok: true }));

export default app;
