// The buttons under a custom command's reply (bot_commands.keyboard). A link button opens
// its URL; a reply button carries only "kb:{command id}:{button id}" as callback_data
// (Telegram allows 64 bytes), and its reply text stays in the database. Pressing one
// answers the callback query (the button's spinner stops), then sends the stored reply,
// or puts it in place of the message's text when the button says `edit`. Both go through
// ctx.call / ctx.reply, so each happens at most once for the press.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "@grammyjs/types";
import { findActiveCommandKeyboard } from "../../db/custom-commands";
import type { CommandKeyboard } from "../../db/schema";
import type { CallbackHandler } from "./types";

const PREFIX = "kb";

export function callbackDataOf(commandId: number, buttonId: string): string {
  return `${PREFIX}:${commandId}:${buttonId}`;
}

/** The keyboard as Telegram's reply_markup. */
export function inlineMarkup(commandId: number, keyboard: CommandKeyboard): InlineKeyboardMarkup {
  return {
    inline_keyboard: keyboard.map((row) =>
      row.map(
        (b): InlineKeyboardButton =>
          "url" in b ? { text: b.text, url: b.url } : { text: b.text, callback_data: callbackDataOf(commandId, b.id) },
      ),
    ),
  };
}

export const keyboardCallback: CallbackHandler = {
  prefix: PREFIX,
  async handle(ctx) {
    const [, idPart, buttonId] = ctx.data.split(":");
    const commandId = Number(idPart);
    const keyboard = Number.isSafeInteger(commandId) ? await findActiveCommandKeyboard(ctx.db, ctx.bot.id, commandId) : undefined;
    const button = keyboard?.flat().find((b) => "callback_reply" in b && b.id === buttonId);
    if (!keyboard || !button || !("callback_reply" in button)) {
      // The command was deleted, turned off or its buttons changed since the message was sent.
      await ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id, text: ctx.t("keyboard.gone") });
      return;
    }
    await ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id });
    if (button.edit && ctx.message) {
      await ctx.call("editMessageText", {
        chat_id: ctx.message.chat.id,
        message_id: ctx.message.message_id,
        text: button.callback_reply,
        reply_markup: inlineMarkup(commandId, keyboard),
      });
      return;
    }
    await ctx.reply(button.callback_reply);
  },
};
