// Setup file: a test file ends only once the background work it started is over. Opening a
// statistics page, for one, starts the bot's stats task on its coordinator; left running, its
// next Telegram call fails after the file's fake is closed and logs a warning while vitest
// tears the file down ("Closing rpc while onUserConsoleLog was pending", which fails the run).
// So: stop every task still running, then wait for each coordinator's alarm runs and drains.
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import type { BotCoordinator } from "../../src/coordinator/bot-coordinator";
import { coordinatorFor } from "../../src/coordinator/stub";

afterAll(async () => {
  const running = await env.DB.prepare("SELECT id, bot_id FROM background_tasks WHERE status = 'running' AND kind != 'ai_chat'").all<{
    id: number;
    bot_id: number;
  }>();
  for (const task of running.results) await coordinatorFor(env, task.bot_id).stopTask(task.id);
  const ns = env.BOT_COORDINATOR as unknown as DurableObjectNamespace<BotCoordinator>;
  for (const id of await listDurableObjectIds(ns)) await ns.get(id).settled();
}, 60_000);
