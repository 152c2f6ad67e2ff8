// JSON API for bots: POST/GET /api/bots, GET/PATCH/DELETE /api/bots/{id}. HTTP only: the
// rules (token check with getMe, uniqueness, the delete cascade) are in services/bots.ts.
// A bot's answer (POST, GET one) carries `commands_sync`: how its command menus stand at Telegram.
import { Hono } from "hono";
import { listBots, publicBot, requireBot } from "../db/bots";
import type { AppEnv } from "../env";
import { idParam, jsonBody } from "../lib/validate";
import { createBotSchema, patchBotSchema } from "../services/bot-input";
import { createBot, deleteBot, patchBot } from "../services/bots";
import { menuStatus } from "../services/command-menus";
import { svc } from "./service-ctx";

export const botsApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listBots(c.var.db);
    return c.json({ count: rows.length, results: rows.map(publicBot) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createBotSchema);
    const bot = await createBot(svc(c), body);
    // The menus were set while registering; how that went (a failure does not fail the registration).
    return c.json({ ...publicBot(bot), commands_sync: await menuStatus(c.var.db, bot.id) }, 201);
  })
  .get("/:id", async (c) => {
    const bot = await requireBot(c.var.db, idParam(c, "id", "Bot"));
    return c.json({ ...publicBot(bot), commands_sync: await menuStatus(c.var.db, bot.id) });
  })
  .patch("/:id", async (c) => {
    // The bot is looked up before the body is read, so an unknown id is a 404 whatever the body.
    const bot = await requireBot(c.var.db, idParam(c, "id", "Bot"));
    const body = await jsonBody(c, patchBotSchema);
    return c.json(publicBot(await patchBot(svc(c), bot, body)));
  })
  .delete("/:id", async (c) => {
    const { id, webhookDeleted } = await deleteBot(svc(c), idParam(c, "id", "Bot"));
    return c.json({ deleted: true, id, webhook_deleted: webhookDeleted });
  });
