// /api/commands: a bot's custom commands (bot_commands). Each answer that changes them
// also syncs the bot's command menu with setMyCommands (built-ins + active custom ones)
// and reports how that went in `sync`; the stored change stands either way.
//   GET / ?bot_id, POST / { bot_id, command, description?, reply_text? | handler_name?, is_active? },
//   GET|PATCH|DELETE /{id}
import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { type BotRow, requireBot, telegramFor } from "../../db/bots";
import { nowSeconds } from "../../db/client";
import { botCommands } from "../../db/schema";
import type { AppEnv, Db, Env } from "../../env";
import { AppError } from "../../lib/errors";
import type { Logger } from "../../lib/log";
import { idParam, jsonBody, queryOf, withSafeLinks } from "../../lib/validate";
import { builtinCommands, findCommand, namedHandlerNames } from "../../telegram/commands/registry";
import { t } from "../../telegram/i18n";

const commandName = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, "").toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{1,32}$/, "1-32 characters of a-z, 0-9, _"));
const handlerName = z.string().refine((h) => namedHandlerNames().includes(h), { message: `unknown handler` });

const fields = {
  command: commandName,
  description: z.string().max(256),
  reply_text: withSafeLinks(z.string().min(1).max(4096)).nullable(),
  handler_name: handlerName.nullable(),
  is_active: z.boolean(),
};
const createSchema = z
  .strictObject({ bot_id: z.number().int().positive(), ...z.object(fields).partial().shape, command: commandName })
  .refine((b) => Boolean(b.reply_text) !== Boolean(b.handler_name), "give exactly one of reply_text and handler_name");
const patchSchema = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
const listQuery = z.strictObject({
  bot_id: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
});

type Row = typeof botCommands.$inferSelect;
const json = (r: Row) => ({
  id: r.id,
  bot_id: r.botId,
  command: r.command,
  description: r.description,
  reply_text: r.replyText,
  handler_name: r.handlerName,
  is_active: r.isActive,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

/** Telegram's menu for the bot: built-ins, then active custom commands (Telegram allows 100). */
export async function syncCommands(env: Env, db: Db, log: Logger, bot: BotRow): Promise<{ ok: boolean; count?: number; error?: string }> {
  const custom = await db
    .select()
    .from(botCommands)
    .where(and(eq(botCommands.botId, bot.id), eq(botCommands.isActive, true)))
    .orderBy(asc(botCommands.command))
    .all();
  const list = builtinCommands()
    .filter((c) => !c.hidden)
    .map((c) => ({ command: c.name, description: typeof c.description === "string" ? t("en", c.description) : c.description.text }));
  for (const c of custom) {
    if (!findCommand(c.command)) list.push({ command: c.command, description: c.description.trim() || c.command });
  }
  try {
    const tg = await telegramFor(env, bot, { log, maxRetries: 1 });
    await tg.call("setMyCommands", { commands: list.slice(0, 100) });
    return { ok: true, count: Math.min(list.length, 100) };
  } catch (err) {
    log.warn("setMyCommands failed", { bot_id: bot.id, error: String(err) });
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function requireCommand(db: Db, id: number): Promise<Row> {
  const row = await db.select().from(botCommands).where(eq(botCommands.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Command ${id} not found`);
  return row;
}

const isUnique = (e: unknown) => /UNIQUE constraint failed/i.test(String((e as { cause?: unknown })?.cause ?? e));

export const commandsApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = queryOf(c, listQuery);
    const rows = await c.var.db
      .select()
      .from(botCommands)
      .where(q.bot_id !== undefined ? eq(botCommands.botId, q.bot_id) : undefined)
      .orderBy(asc(botCommands.botId), asc(botCommands.command))
      .all();
    return c.json({ count: rows.length, results: rows.map(json) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    const { db } = c.var;
    const bot = await requireBot(db, body.bot_id).catch(() => {
      throw new AppError("BAD_REQUEST", `Bot ${body.bot_id} does not exist`);
    });
    let row: Row;
    try {
      row = await db
        .insert(botCommands)
        .values({
          botId: bot.id,
          command: body.command,
          description: body.description ?? "",
          replyText: body.reply_text ?? null,
          handlerName: body.handler_name ?? null,
          isActive: body.is_active ?? true,
        })
        .returning()
        .get();
    } catch (e) {
      if (isUnique(e)) throw new AppError("CONFLICT", `Bot ${bot.id} already has a /${body.command} command`);
      throw e;
    }
    return c.json({ ...json(row), sync: await syncCommands(c.env, db, c.var.log, bot) }, 201);
  })
  .get("/:id", async (c) => c.json(json(await requireCommand(c.var.db, idParam(c, "id", "Command")))))
  .patch("/:id", async (c) => {
    const { db } = c.var;
    const cmd = await requireCommand(db, idParam(c, "id", "Command"));
    const body = await jsonBody(c, patchSchema);
    const replyText = body.reply_text !== undefined ? body.reply_text : cmd.replyText;
    const handler = body.handler_name !== undefined ? body.handler_name : cmd.handlerName;
    if (Boolean(replyText) === Boolean(handler))
      throw new AppError("BAD_REQUEST", "A command needs exactly one of reply_text and handler_name");
    let row: Row | undefined;
    try {
      row = await db
        .update(botCommands)
        .set({
          ...(body.command !== undefined && { command: body.command }),
          ...(body.description !== undefined && { description: body.description }),
          replyText,
          handlerName: handler,
          ...(body.is_active !== undefined && { isActive: body.is_active }),
          updatedAt: nowSeconds(),
        })
        .where(eq(botCommands.id, cmd.id))
        .returning()
        .get();
    } catch (e) {
      if (isUnique(e)) throw new AppError("CONFLICT", `Bot ${cmd.botId} already has a /${body.command} command`);
      throw e;
    }
    const bot = await requireBot(db, cmd.botId);
    return c.json({ ...json(row ?? cmd), sync: await syncCommands(c.env, db, c.var.log, bot) });
  })
  .delete("/:id", async (c) => {
    const { db } = c.var;
    const cmd = await requireCommand(db, idParam(c, "id", "Command"));
    await db.delete(botCommands).where(eq(botCommands.id, cmd.id));
    const bot = await requireBot(db, cmd.botId);
    return c.json({ deleted: true, id: cmd.id, sync: await syncCommands(c.env, db, c.var.log, bot) });
  });
