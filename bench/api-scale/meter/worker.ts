// The ingest meter: a Worker that runs the platform's own group commit (buildGroupCommit, the
// statements the coordinator's drain runs for a batch, here a batch of one) against its local D1 and
// answers D1's meta per statement: rows read and rows written (what D1 bills), so the scale
// note counts them instead of guessing. Dispatch (commands, replies) is not run here.
import { createDb } from "../../../src/db/client";
import { runBatch } from "../../../src/db/d1";
import { finishPlan, wantsSession } from "../../../src/telegram/ingest/dispatch";
import { buildGroupCommit } from "../../../src/telegram/ingest/group-commit";
import { normalize, type RawUpdate } from "../../../src/telegram/ingest/normalize";

interface MeterEnv {
  DB: D1Database;
}

const BOT = { id: 1, username: "meter_bot", aiEnabled: false };

export default {
  async fetch(req: Request, env: MeterEnv): Promise<Response> {
    await env.DB.prepare(
      "INSERT OR IGNORE INTO bots (id, name, username, token_ciphertext, token_fingerprint) VALUES (?, 'meter', ?, 'none', 'meter')",
    )
      .bind(BOT.id, BOT.username)
      .run();
    const update = (await req.json()) as RawUpdate;
    const db = createDb(env.DB);
    const n = normalize(update);
    const finish = finishPlan(n, BOT);
    const session = wantsSession(n) && n.message?.from ? { chatId: n.message.chat.id, userId: n.message.from.id } : undefined;
    const plan = buildGroupCommit(db, BOT.id, [{ updateId: update.update_id, n }], {
      token: crypto.randomUUID(),
      sessions: session ? [session] : [],
      senders: n.users[0] ? [n.users[0].id] : [],
    });
    const results = await runBatch(db, plan.stmts);
    const statements = results.map((r) => {
      const meta = r.meta as D1Meta & { rows_read?: number; rows_written?: number };
      return { rows_read: meta.rows_read ?? null, rows_written: meta.rows_written ?? null, changes: meta.changes ?? null };
    });
    return Response.json({ type: n.type, finish, statements });
  },
} satisfies ExportedHandler<MeterEnv>;
