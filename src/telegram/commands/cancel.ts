// /cancel: stops the AI answer being written in this chat; what was shown stays, marked "(stopped)".
import type { CommandDefinition } from "./types";

export const cancel: CommandDefinition = {
  name: "cancel",
  ai: true,
  description: { text: "Stop the AI answer being written" },
  async handle(ctx) {
    const res = await ctx.cancelAi();
    if (res === "stopped") return; // the answer itself ends with "(stopped)"
    await ctx.reply(res === "not_yours" ? "Only the person it answers can stop this answer." : "There is no AI answer to stop.");
  },
};
