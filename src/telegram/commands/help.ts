// /help: the built-in commands plus this bot's active custom commands (bot_commands), in
// the reply language. The registry hands it the list of built-ins rather than being
// imported here: the registry lists /help itself, so importing it back would close a circle.
import { listActiveCustomCommands } from "../../db/custom-commands";
import { describeBuiltin } from "./menus";
import type { CommandDefinition } from "./types";

export const helpCommand = (builtinCommands: () => CommandDefinition[]): CommandDefinition => ({
  name: "help",
  description: "cmd.help",
  async handle(ctx) {
    const custom = await listActiveCustomCommands(ctx.db, ctx.bot.id);
    const lines = builtinCommands()
      .filter((c) => !c.hidden)
      .map((c) => `/${c.name} - ${describeBuiltin(c, ctx.lang)}`);
    const builtinNames = new Set(builtinCommands().map((c) => c.name));
    for (const c of custom) {
      const description = (ctx.lang === "ru" && c.description_ru) || c.description;
      if (!builtinNames.has(c.command)) lines.push(`/${c.command}${description ? ` - ${description}` : ""}`);
    }
    await ctx.reply([ctx.t("help.header"), ...lines].join("\n"));
  },
});
