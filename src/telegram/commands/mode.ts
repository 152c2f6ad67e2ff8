// /mode: the chat's AI mode, one of the named system prompts the staff keep for the bot
// (ai_modes). "/mode" lists them with a keyboard; "/mode <name>" or a button picks one;
// "/mode default" goes back to the bot's own prompt.
import type { InlineKeyboardMarkup } from "@grammyjs/types";
import { type AiMode, chatAiChoice, findMode, listModes, setChatAiChoice } from "../../db/ai-settings";
import { ADMINS_ONLY, mayChangeAiSettings } from "./chat-admin";
import type { CallbackHandler, CommandDefinition, HandlerContext } from "./types";

const PREFIX = "aimode";

function modeView(modes: AiMode[], current: AiMode | null): { text: string; reply_markup: InlineKeyboardMarkup } {
  const lines = modes.map((m) => `${m.id === current?.id ? "✓ " : "• "}${m.name}`);
  const text = [
    `AI mode: ${current?.name ?? "default"}`,
    modes.length ? `Modes:\n${lines.join("\n")}` : "No modes are set up for this bot yet.",
    "Choose one below or send /mode <name> (/mode default for the bot's own).",
  ].join("\n\n");
  const rows = modes.map((m) => [{ text: `${m.id === current?.id ? "✓ " : ""}${m.name}`, callback_data: `${PREFIX}:${m.id}` }]);
  rows.push([{ text: `${current ? "" : "✓ "}default`, callback_data: `${PREFIX}:0` }]);
  return { text, reply_markup: { inline_keyboard: rows } };
}

async function choose(ctx: HandlerContext, mode: AiMode | null): Promise<string> {
  await setChatAiChoice(ctx.db, { botId: ctx.bot.id, chatId: ctx.chat.id, userId: ctx.from?.id ?? 0 }, { modeId: mode?.id ?? null });
  return mode ? `AI mode set to “${mode.name}”.` : "AI mode set back to the default.";
}

export const mode: CommandDefinition = {
  name: "mode",
  ai: true,
  description: { text: "Choose this chat's AI mode" },
  async handle(ctx) {
    const name = ctx.args.toLowerCase();
    if (!name) {
      const [modes, choice] = await Promise.all([listModes(ctx.db, ctx.bot.id), chatAiChoice(ctx.db, ctx.bot.id, ctx.chat.id)]);
      const view = modeView(modes, choice.mode);
      await ctx.reply(view.text, { reply_markup: view.reply_markup });
      return;
    }
    if (!(await mayChangeAiSettings(ctx))) {
      await ctx.reply(ADMINS_ONLY);
      return;
    }
    if (name === "default") {
      await ctx.reply(await choose(ctx, null));
      return;
    }
    const found = await findMode(ctx.db, ctx.bot.id, { name });
    if (!found) {
      const names = (await listModes(ctx.db, ctx.bot.id)).map((m) => m.name);
      await ctx.reply(`There is no mode “${name}”. ${names.length ? `Modes: ${names.join(", ")}.` : "No modes are set up yet."}`);
      return;
    }
    await ctx.reply(await choose(ctx, found));
  },
};

export const modeCallback: CallbackHandler = {
  prefix: PREFIX,
  async handle(ctx) {
    const id = Number(ctx.data.split(":")[1]);
    const answer = (text: string) => ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id, text });
    if (!Number.isSafeInteger(id)) return void (await answer("Unknown mode."));
    if (!(await mayChangeAiSettings(ctx))) return void (await answer(ADMINS_ONLY));
    const found = id === 0 ? null : await findMode(ctx.db, ctx.bot.id, { id });
    if (id !== 0 && !found) return void (await answer("That mode no longer exists."));
    const said = await choose(ctx, found ?? null);
    if (ctx.message) {
      const view = modeView(await listModes(ctx.db, ctx.bot.id), found ?? null);
      await ctx.call("editMessageText", { chat_id: ctx.chat.id, message_id: ctx.message.message_id, ...view });
    }
    await answer(said);
  },
};
