// /contact: the bot's contact_text, else a built-in line.
import type { CommandDefinition } from "./types";

export const contact: CommandDefinition = {
  name: "contact",
  description: "cmd.contact",
  async handle(ctx) {
    await ctx.reply(ctx.bot.contactText?.trim() || ctx.t("contact.default"));
  },
};
