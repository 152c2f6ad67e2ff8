// /retry: asks the AI the sender's last question in this chat again (the new answer
// replaces the old one in the conversation memory).
import type { CommandDefinition } from "./types";

export const retry: CommandDefinition = {
  name: "retry",
  ai: true,
  description: { text: "Ask the AI your last question again" },
  async handle(ctx) {
    if (!ctx.bot.aiEnabled || !(await ctx.retryAi())) await ctx.reply("There is no earlier question of yours to ask again.");
  },
};
