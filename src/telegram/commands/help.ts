// /help: the built-in commands plus this bot's active custom commands (bot_commands).
// The registry hands it the list of built-ins rather than being imported here: the registry
// lists /help itself, so importing it back would close an import circle.
import { sql } from "drizzle-orm";
import type { CommandDefinition } from "./types";

export const helpCommand = (builtinCommands: () => CommandDefinition[]): CommandDefinition => ({
  name: "help",
  description: "cmd.help",
  async handle(ctx) {
    const custom = await ctx.db.all<{ command: string; description: string }>(sql`
      SELECT command, description FROM bot_commands WHERE bot_id = ${ctx.bot.id} AND is_active = 1 ORDER BY command`);
    const lines = builtinCommands()
      .filter((c) => !c.hidden)
      .map((c) => `/${c.name} - ${typeof c.description === "string" ? ctx.t(c.description) : c.description.text}`);
    const builtinNames = new Set(builtinCommands().map((c) => c.name));
    for (const c of custom) {
      if (!builtinNames.has(c.command)) lines.push(`/${c.command}${c.description ? ` - ${c.description}` : ""}`);
    }
    await ctx.reply([ctx.t("help.header"), ...lines].join("\n"));
  },
});
