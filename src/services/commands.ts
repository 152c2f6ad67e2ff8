// A bot's custom commands (bot_commands). Every change also syncs the bot's command menu
// with setMyCommands (built-ins + active custom ones) and reports how that went in `sync`;
// the stored change stands either way, since the menu is a convenience and the next
// change retries it.
import { and, asc, eq } from "drizzle-orm";
import { type BotRow, requireBot } from "../db/bots";
import { nowSeconds } from "../db/client";
import { botCommands } from "../db/schema";
import { isUniqueViolation } from "../db/unique";
import type { Db } from "../env";
import { AppError } from "../lib/errors";
import { telegramFor } from "../telegram/bot-client";
import { builtinCommands, findCommand } from "../telegram/commands/registry";
import { t } from "../telegram/i18n";
import type { CommandRow, CreateCommandInput, PatchCommandInput } from "./command-input";
import type { ServiceCtx } from "./context";

export type SyncResult = { ok: boolean; count?: number; error?: string };

/** Telegram's menu for the bot: built-ins, then active custom commands (Telegram allows 100). */
export async function syncCommands({ env, db, log }: ServiceCtx, bot: BotRow): Promise<SyncResult> {
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

export async function listCommands(db: Db, botId?: number): Promise<CommandRow[]> {
  return db
    .select()
    .from(botCommands)
    .where(botId !== undefined ? eq(botCommands.botId, botId) : undefined)
    .orderBy(asc(botCommands.botId), asc(botCommands.command))
    .all();
}

export async function requireCommand(db: Db, id: number): Promise<CommandRow> {
  const row = await db.select().from(botCommands).where(eq(botCommands.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Command ${id} not found`);
  return row;
}

export async function createCommand(ctx: ServiceCtx, input: CreateCommandInput): Promise<{ row: CommandRow; sync: SyncResult }> {
  const bot = await requireBot(ctx.db, input.bot_id).catch(() => {
    throw new AppError("BAD_REQUEST", `Bot ${input.bot_id} does not exist`);
  });
  let row: CommandRow;
  try {
    row = await ctx.db
      .insert(botCommands)
      .values({
        botId: bot.id,
        command: input.command,
        description: input.description ?? "",
        replyText: input.reply_text ?? null,
        handlerName: input.handler_name ?? null,
        isActive: input.is_active ?? true,
      })
      .returning()
      .get();
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("CONFLICT", `Bot ${bot.id} already has a /${input.command} command`);
    throw e;
  }
  return { row, sync: await syncCommands(ctx, bot) };
}

/** Changes the command (looked up by the caller); it keeps exactly one of reply_text and handler_name. */
export async function patchCommand(
  ctx: ServiceCtx,
  cmd: CommandRow,
  input: PatchCommandInput,
): Promise<{ row: CommandRow; sync: SyncResult }> {
  const replyText = input.reply_text !== undefined ? input.reply_text : cmd.replyText;
  const handler = input.handler_name !== undefined ? input.handler_name : cmd.handlerName;
  if (Boolean(replyText) === Boolean(handler))
    throw new AppError("BAD_REQUEST", "A command needs exactly one of reply_text and handler_name");
  let row: CommandRow | undefined;
  try {
    row = await ctx.db
      .update(botCommands)
      .set({
        ...(input.command !== undefined && { command: input.command }),
        ...(input.description !== undefined && { description: input.description }),
        replyText,
        handlerName: handler,
        ...(input.is_active !== undefined && { isActive: input.is_active }),
        updatedAt: nowSeconds(),
      })
      .where(eq(botCommands.id, cmd.id))
      .returning()
      .get();
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("CONFLICT", `Bot ${cmd.botId} already has a /${input.command} command`);
    throw e;
  }
  const bot = await requireBot(ctx.db, cmd.botId);
  return { row: row ?? cmd, sync: await syncCommands(ctx, bot) };
}

export async function deleteCommand(ctx: ServiceCtx, id: number): Promise<{ id: number; sync: SyncResult }> {
  const cmd = await requireCommand(ctx.db, id);
  await ctx.db.delete(botCommands).where(eq(botCommands.id, cmd.id));
  const bot = await requireBot(ctx.db, cmd.botId);
  return { id: cmd.id, sync: await syncCommands(ctx, bot) };
}
