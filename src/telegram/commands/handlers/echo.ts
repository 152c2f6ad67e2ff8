// Example handler for custom commands (bot_commands.handler_name = "echo"): repeats the arguments.
import type { NamedHandler } from "../types";

export const echo: NamedHandler = {
  name: "echo",
  async handle(ctx) {
    await ctx.reply(ctx.args || ctx.t("echo.empty", { command: ctx.command }));
  },
};
