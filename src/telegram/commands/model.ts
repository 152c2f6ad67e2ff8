// /model: the chat's AI model, one of the allowed models of the bot's providers
// (src/ai/models.ts); never an arbitrary string. "/model" lists them with a keyboard
// (callback_data "aimodel:<index>", "aimodel:d" for the bot's default).
import type { InlineKeyboardMarkup } from "@grammyjs/types";
import { findModel, type ModelOption, modelOptions } from "../../ai/models";
import { chatAiChoice, setChatAiChoice } from "../../db/ai-settings";
import { ADMINS_ONLY, mayChangeAiSettings } from "./chat-admin";
import type { CallbackHandler, CommandDefinition, HandlerContext } from "./types";

const PREFIX = "aimodel";

function modelView(options: ModelOption[], current: string | null): { text: string; reply_markup: InlineKeyboardMarkup } {
  const text = [
    `AI model: ${current ?? "the bot's default"}`,
    `Models:\n${options.map((o) => `${o.model === current ? "✓ " : "• "}${o.model} (${o.provider})`).join("\n")}`,
    "Choose one below or send /model <name> (/model default for the bot's own).",
  ].join("\n\n");
  const rows = options.map((o, i) => [{ text: `${o.model === current ? "✓ " : ""}${o.model}`, callback_data: `${PREFIX}:${i}` }]);
  rows.push([{ text: `${current ? "" : "✓ "}default`, callback_data: `${PREFIX}:d` }]);
  return { text, reply_markup: { inline_keyboard: rows } };
}

async function choose(ctx: HandlerContext, model: string | null): Promise<string> {
  await setChatAiChoice(ctx.db, { botId: ctx.bot.id, chatId: ctx.chat.id, userId: ctx.from?.id ?? 0 }, { model });
  return model ? `AI model set to ${model}.` : "AI model set back to the bot's default.";
}

export const model: CommandDefinition = {
  name: "model",
  ai: true,
  description: { text: "Choose this chat's AI model" },
  async handle(ctx) {
    const name = ctx.args.trim();
    const options = modelOptions(ctx.bot);
    if (!name) {
      const choice = await chatAiChoice(ctx.db, ctx.bot.id, ctx.chat.id);
      const view = modelView(options, findModel(ctx.bot, choice.model)?.model ?? null);
      await ctx.reply(view.text, { reply_markup: view.reply_markup });
      return;
    }
    if (!(await mayChangeAiSettings(ctx))) {
      await ctx.reply(ADMINS_ONLY);
      return;
    }
    if (name.toLowerCase() === "default") {
      await ctx.reply(await choose(ctx, null));
      return;
    }
    const found = findModel(ctx.bot, name);
    if (!found) {
      await ctx.reply(`“${name.slice(0, 64)}” is not one of the allowed models: ${options.map((o) => o.model).join(", ")}.`);
      return;
    }
    await ctx.reply(await choose(ctx, found.model));
  },
};

export const modelCallback: CallbackHandler = {
  prefix: PREFIX,
  async handle(ctx) {
    const part = ctx.data.split(":")[1] ?? "";
    const options = modelOptions(ctx.bot);
    const answer = (text: string) => ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id, text });
    const picked = part === "d" ? null : options[Number(part)];
    if (picked === undefined) return void (await answer("Unknown model."));
    if (!(await mayChangeAiSettings(ctx))) return void (await answer(ADMINS_ONLY));
    const said = await choose(ctx, picked?.model ?? null);
    if (ctx.message) {
      const view = modelView(options, picked?.model ?? null);
      await ctx.call("editMessageText", { chat_id: ctx.chat.id, message_id: ctx.message.message_id, ...view });
    }
    await answer(said);
  },
};
