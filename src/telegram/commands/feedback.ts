// /feedback: "/feedback text" is stored at once; a bare "/feedback" asks for it and a
// dialog session takes the user's next message. One row per update (feedback.update_id
// is unique), so a redelivery cannot store it twice.
import { insertFeedback } from "../../db/feedback";
import type { CommandDefinition, DialogHandler, HandlerContext } from "./types";

async function store(ctx: HandlerContext, text: string) {
  await insertFeedback(ctx.db, { botId: ctx.bot.id, chatId: ctx.chat.id, userId: ctx.from?.id ?? 0, text, updateId: ctx.updateId });
}

export const feedback: CommandDefinition = {
  name: "feedback",
  description: "cmd.feedback",
  menu: ["private"],
  async handle(ctx) {
    if (ctx.args) {
      await store(ctx, ctx.args);
      await ctx.reply(ctx.t("feedback.thanks"));
      return;
    }
    await ctx.session.set({ dialog: "feedback" });
    await ctx.reply(ctx.t("feedback.ask"));
  },
};

export const feedbackDialog: DialogHandler = {
  name: "feedback",
  async handle(ctx) {
    await store(ctx, ctx.text);
    await ctx.session.clear();
    await ctx.reply(ctx.t("feedback.thanks"));
  },
};
