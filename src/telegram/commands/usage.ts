// /usage: the sender's AI consumption (requests and tokens, today and this month) against their quota.
import { usageText, userUsage } from "../../ai/limits";
import type { CommandDefinition } from "./types";

export const usage: CommandDefinition = {
  name: "usage",
  ai: true,
  description: { text: "Your AI usage and quota" },
  async handle(ctx) {
    if (!ctx.from) return;
    await ctx.reply(usageText(await userUsage(ctx.db, ctx.bot, ctx.from.id, Date.now())));
  },
};
