// A bot's custom commands (bot_commands). Every change also syncs the bot's command menus
// (services/command-menus.ts: setMyCommands per scope and language, only the lists that
// changed) and reports how that went in `sync`; the stored change stands either way, since
// the menu is a convenience and the next sync retries it.
import { asc, eq } from "drizzle-orm";
import { type BotRow, requireBot } from "../db/bots";
import { nowSeconds } from "../db/client";
import { botCommands } from "../db/schema";
import { isUniqueViolation } from "../db/unique";
import type { Db } from "../env";
import { AppError } from "../lib/errors";
import { type CommandRow, type CreateCommandInput, KEYBOARD_NEEDS_REPLY, keyboardToStore, type PatchCommandInput } from "./command-input";
import { type MenuSyncResult, syncCommandMenusSafely } from "./command-menus";
import type { ServiceCtx } from "./context";

/** How the menus' sync went after a change (the change stands either way). */
export type SyncResult = MenuSyncResult;

const syncCommands = (ctx: ServiceCtx, bot: BotRow): Promise<SyncResult> => syncCommandMenusSafely(ctx, bot);

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
        descriptionRu: input.description_ru ?? null,
        ...(input.audiences && { audiences: input.audiences }),
        replyText: input.reply_text ?? null,
        handlerName: input.handler_name ?? null,
        keyboard: keyboardToStore(input.keyboard),
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

/** Changes the command (looked up by the caller); it keeps exactly one of reply_text and handler_name, and buttons only under a reply. */
export async function patchCommand(
  ctx: ServiceCtx,
  cmd: CommandRow,
  input: PatchCommandInput,
): Promise<{ row: CommandRow; sync: SyncResult }> {
  const replyText = input.reply_text !== undefined ? input.reply_text : cmd.replyText;
  const handler = input.handler_name !== undefined ? input.handler_name : cmd.handlerName;
  if (Boolean(replyText) === Boolean(handler))
    throw new AppError("BAD_REQUEST", "A command needs exactly one of reply_text and handler_name");
  const keyboard = input.keyboard !== undefined ? keyboardToStore(input.keyboard) : cmd.keyboard;
  if (keyboard && !replyText)
    throw new AppError("BAD_REQUEST", `Invalid body: keyboard: ${KEYBOARD_NEEDS_REPLY}`, {
      issues: [{ path: "keyboard", message: KEYBOARD_NEEDS_REPLY }],
    });
  let row: CommandRow | undefined;
  try {
    row = await ctx.db
      .update(botCommands)
      .set({
        ...(input.command !== undefined && { command: input.command }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.description_ru !== undefined && { descriptionRu: input.description_ru }),
        ...(input.audiences !== undefined && { audiences: input.audiences }),
        replyText,
        handlerName: handler,
        keyboard,
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
