// /start: the bot's own welcome text (bots.welcome_text), else a built-in one.
import type { CommandDefinition } from "./types";

export const start: CommandDefinition = {
  name: "start",
  description: "cmd.start",
  menu: ["private"],
  async handle(ctx) {
    await ctx.reply(ctx.bot.welcomeText?.trim() || ctx.t("start.default"));
  },
};
