// Custom commands from bot_commands: a fixed reply (with its buttons, if any), or a handler registered in code.
import { findActiveCustomCommand } from "../../db/custom-commands";
import { inlineMarkup } from "./keyboard";
import { findNamedHandler } from "./registry";
import type { CommandContext } from "./types";

/** Runs the bot's custom command; answers false when there is no active one of that name. */
export async function runCustomCommand(ctx: CommandContext): Promise<boolean> {
  const row = await findActiveCustomCommand(ctx.db, ctx.bot.id, ctx.command);
  if (!row) return false;
  if (row.handler_name) {
    const handler = findNamedHandler(row.handler_name);
    if (handler) {
      await handler.handle(ctx);
      return true;
    }
    ctx.log.warn("custom command names an unknown handler", { command: ctx.command, handler: row.handler_name });
  }
  if (row.reply_text) {
    const keyboard = row.keyboard?.length ? { reply_markup: inlineMarkup(row.id, row.keyboard) } : {};
    await ctx.reply(row.reply_text, keyboard);
    return true;
  }
  return false;
}
