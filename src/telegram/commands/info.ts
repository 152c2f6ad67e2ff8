// /info: the bot's info_text, else a built-in line.
import type { CommandDefinition } from "./types";

export const info: CommandDefinition = {
  name: "info",
  description: "cmd.info",
  async handle(ctx) {
    await ctx.reply(ctx.bot.infoText?.trim() || ctx.t("info.default"));
  },
};
