// Example handler for custom commands (bot_commands.handler_name = "whoami"): who Telegram says you are.
import type { NamedHandler } from "../types";

export const whoami: NamedHandler = {
  name: "whoami",
  async handle(ctx) {
    const name = [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(" ") || "?";
    await ctx.reply(ctx.t("whoami", { name, id: ctx.from?.id ?? "?", lang: ctx.lang }));
  },
};
