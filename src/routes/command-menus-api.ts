// A bot's command menus at Telegram (the rules are in services/command-menus.ts):
//   GET  /api/bots/{id}/commands        each scope and language's list, and whether Telegram has it
//   POST /api/bots/{id}/commands/sync   { force? } sets the lists that changed (all with force)
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { requireBot } from "../db/bots";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { idParam, parseWith } from "../lib/validate";
import { menuStatus, menusWithState, syncCommandMenus } from "../services/command-menus";
import { svc } from "./service-ctx";

const syncSchema = z.strictObject({ force: z.boolean().optional() });

/** An empty body is {} (curl -X POST with no data). */
async function syncBody(c: Context<AppEnv>) {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return parseWith(syncSchema, JSON.parse(text), "body");
  } catch (e) {
    if (e instanceof SyntaxError) throw new AppError("BAD_REQUEST", "Body is not valid JSON");
    throw e;
  }
}

export const commandMenusApi = new Hono<AppEnv>()
  .get("/:id/commands", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "id", "Bot"));
    return c.json({ bot_id: bot.id, status: await menuStatus(c.var.db, bot.id), menus: await menusWithState(c.var.db, bot) });
  })
  .post("/:id/commands/sync", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "id", "Bot"));
    const body = await syncBody(c);
    const sync = await syncCommandMenus(svc(c), bot, { force: body.force === true });
    return c.json({ bot_id: bot.id, sync, status: await menuStatus(c.var.db, bot.id) });
  });
