// Custom commands from bot_commands: a fixed reply, or a handler registered in code.
import { sql } from "drizzle-orm";
import { findNamedHandler } from "./registry";
import type { CommandContext } from "./types";

/** Runs the bot's custom command; answers false when there is no active one of that name. */
export async function runCustomCommand(ctx: CommandContext): Promise<boolean> {
  const row = await ctx.db.get<{ reply_text: string | null; handler_name: string | null } | undefined>(sql`
    SELECT reply_text, handler_name FROM bot_commands
    WHERE bot_id = ${ctx.bot.id} AND command = ${ctx.command} AND is_active = 1`);
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
    await ctx.reply(row.reply_text);
    return true;
  }
  return false;
}
