// What every service call gets from its caller (a route, a page or a task): no Hono context,
// so the same rule runs the same way whichever surface asked for it.
import type { Db, Env } from "../env";
import type { Logger } from "../lib/log";

export interface ServiceCtx {
  env: Env;
  db: Db;
  log: Logger;
}
