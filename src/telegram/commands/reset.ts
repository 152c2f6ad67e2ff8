// /reset: forget this chat's AI conversation, so the next message starts afresh.
import type { CommandDefinition } from "./types";

export const reset: CommandDefinition = {
  name: "reset",
  description: { text: "Start a new AI conversation (forget this chat's history)" },
  async handle(ctx) {
    await ctx.clearAiMemory();
    await ctx.reply("Done: I have forgotten our conversation. Your next message starts a new one.");
  },
};
