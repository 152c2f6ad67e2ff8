// /reset: forget this chat's AI conversation, so the next message starts afresh.
import type { CommandDefinition } from "./types";

export const reset: CommandDefinition = {
  name: "reset",
  description: { text: "Start a new AI conversation (forget this chat's history)", ru: "Начать новый разговор с ИИ (забыть историю чата)" },
  // In a group it forgets everyone's conversation, so only its administrators see it offered.
  menu: ["private", "admins"],
  async handle(ctx) {
    await ctx.clearAiMemory();
    await ctx.reply("Done: I have forgotten our conversation. Your next message starts a new one.");
  },
};
