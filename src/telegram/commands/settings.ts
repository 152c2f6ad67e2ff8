// /settings: an inline keyboard for the reply language and notifications. Pressing a
// button sends a callback_query ("settings:lang:ru", "settings:notify:off"; well under
// Telegram's 64-byte callback_data limit) that saves the choice in tg_users.preferences,
// redraws the keyboard with editMessageText and answers the callback.
import type { InlineKeyboardMarkup } from "@grammyjs/types";
import { setUserPreference } from "../../db/user-preferences";
import { LANG_NAMES, LANGS, type Lang, pickLang, t } from "../i18n";
import type { CallbackHandler, CommandDefinition } from "./types";

const PREFIX = "settings";

function notificationsOn(prefs: Record<string, unknown>): boolean {
  return prefs.notifications !== false;
}

export function settingsView(lang: Lang, prefs: Record<string, unknown>): { text: string; reply_markup: InlineKeyboardMarkup } {
  const on = notificationsOn(prefs);
  const text = t(lang, "settings.title", { language: LANG_NAMES[lang], notifications: t(lang, on ? "settings.on" : "settings.off") });
  const langRow = LANGS.map((l) => ({ text: `${l === lang ? "✓ " : ""}${LANG_NAMES[l]}`, callback_data: `${PREFIX}:lang:${l}` }));
  const notifyRow = [
    {
      text: t(lang, on ? "settings.notifications_on" : "settings.notifications_off"),
      callback_data: `${PREFIX}:notify:${on ? "off" : "on"}`,
    },
  ];
  return { text, reply_markup: { inline_keyboard: [langRow, notifyRow] } };
}

export const settings: CommandDefinition = {
  name: "settings",
  description: "cmd.settings",
  // Each user's own language and notifications: a private matter.
  menu: ["private"],
  async handle(ctx) {
    const view = settingsView(ctx.lang, ctx.preferences);
    await ctx.reply(view.text, { reply_markup: view.reply_markup });
  },
};

export const settingsCallback: CallbackHandler = {
  prefix: PREFIX,
  async handle(ctx) {
    const [, field, value] = ctx.data.split(":");
    const userId = ctx.from?.id;
    let patch: { path: string; json: string } | undefined;
    if (field === "lang" && (value === "en" || value === "ru")) patch = { path: "$.language", json: JSON.stringify(value) };
    if (field === "notify" && (value === "on" || value === "off")) patch = { path: "$.notifications", json: String(value === "on") };
    if (!patch || userId === undefined) {
      await ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id });
      return;
    }
    const row = await setUserPreference(ctx.db, ctx.bot.id, userId, patch);
    const prefs = row ? (JSON.parse(row.preferences) as Record<string, unknown>) : ctx.preferences;
    const lang = pickLang(prefs, row?.language_code ?? ctx.from?.language_code);
    if (ctx.message) {
      const view = settingsView(lang, prefs);
      await ctx.call("editMessageText", {
        chat_id: ctx.message.chat.id,
        message_id: ctx.message.message_id,
        text: view.text,
        reply_markup: view.reply_markup,
      });
    }
    await ctx.call("answerCallbackQuery", { callback_query_id: ctx.query.id, text: t(lang, "settings.saved") });
  },
};
