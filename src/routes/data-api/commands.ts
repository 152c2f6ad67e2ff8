// /api/commands: a bot's custom commands; the rules and the menu sync are in services/commands.ts.
//   GET / ?bot_id, POST / { bot_id, command, description?, reply_text? | handler_name?, is_active? },
//   GET|PATCH|DELETE /{id}
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { idParam, jsonBody, queryOf } from "../../lib/validate";
import { commandJson, createCommandSchema, patchCommandSchema } from "../../services/command-input";
import { createCommand, deleteCommand, listCommands, patchCommand, requireCommand } from "../../services/commands";
import { svc } from "../service-ctx";

const listQuery = z.strictObject({
  bot_id: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
});

export const commandsApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listCommands(c.var.db, queryOf(c, listQuery).bot_id);
    return c.json({ count: rows.length, results: rows.map(commandJson) });
  })
  .post("/", async (c) => {
    const { row, sync } = await createCommand(svc(c), await jsonBody(c, createCommandSchema));
    return c.json({ ...commandJson(row), sync }, 201);
  })
  .get("/:id", async (c) => c.json(commandJson(await requireCommand(c.var.db, idParam(c, "id", "Command")))))
  .patch("/:id", async (c) => {
    // Looked up before the body is read: an unknown id is a 404 whatever the body.
    const cmd = await requireCommand(c.var.db, idParam(c, "id", "Command"));
    const { row, sync } = await patchCommand(svc(c), cmd, await jsonBody(c, patchCommandSchema));
    return c.json({ ...commandJson(row), sync });
  })
  .delete("/:id", async (c) => {
    const { id, sync } = await deleteCommand(svc(c), idParam(c, "id", "Command"));
    return c.json({ deleted: true, id, sync });
  });
