// /help: the built-in commands plus this bot's active custom commands (bot_commands).
// The registry hands it the list of built-ins rather than being imported here: the registry
// lists /help itself, so importing it back would close an import circle.
import { listActiveCustomCommands } from "../../db/custom-commands";
import type { CommandDefinition } from "./types";

export const helpCommand = (builtinCommands: () => CommandDefinition[]): CommandDefinition => ({
  name: "help",
  description: "cmd.help",
  async handle(ctx) {
    const custom = await listActiveCustomCommands(ctx.db, ctx.bot.id);
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
