// AI modes of a bot: GET|POST /api/bots/{id}/ai-modes, PATCH|DELETE /api/bots/{id}/ai-modes/{mode_id}.
// Reading needs any role; changing them the "ai-modes" permission (staff).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { idParam, jsonBody } from "../lib/validate";
import { botModes, changeMode, createMode, createModeSchema, patchModeSchema, removeMode } from "../services/ai-modes";

export const aiModesApi = new Hono<AppEnv>()
  .get("/:id/ai-modes", async (c) => {
    const results = await botModes(c.var.db, idParam(c, "id", "Bot"));
    return c.json({ count: results.length, results });
  })
  .post("/:id/ai-modes", async (c) => {
    const botId = idParam(c, "id", "Bot");
    return c.json(await createMode(c.var.db, botId, await jsonBody(c, createModeSchema)), 201);
  })
  .patch("/:id/ai-modes/:mode_id", async (c) => {
    const botId = idParam(c, "id", "Bot");
    const modeId = idParam(c, "mode_id", "Mode");
    return c.json(await changeMode(c.var.db, botId, modeId, await jsonBody(c, patchModeSchema)));
  })
  .delete("/:id/ai-modes/:mode_id", async (c) => {
    await removeMode(c.var.db, idParam(c, "id", "Bot"), idParam(c, "mode_id", "Mode"));
    return c.body(null, 204);
  });
