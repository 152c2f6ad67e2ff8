// Built-in replies in English and Russian. The user's own choice (/settings, stored in
// tg_users.preferences.language) wins over Telegram's language_code; English otherwise.

export type Lang = "en" | "ru";
export const LANGS: readonly Lang[] = ["en", "ru"];

const en = {
  "start.default": "Welcome! Send /help to see what I can do.",
  "help.header": "Available commands:",
  "info.default": "This bot is part of the Telegram platform.",
  "contact.default": "No contact details have been set for this bot yet.",
  "news.header": "Latest news:",
  "news.empty": "No news yet.",
  "games.header": "Games:",
  "games.empty": "No games yet.",
  "settings.title": "Settings\nLanguage: {language}\nNotifications: {notifications}",
  "settings.language": "Language: {language}",
  "settings.notifications_on": "Notifications: on",
  "settings.notifications_off": "Notifications: off",
  "settings.on": "on",
  "settings.off": "off",
  "settings.saved": "Saved",
  "feedback.ask": "Please send your feedback as the next message.",
  "feedback.thanks": "Thank you! Your feedback has been recorded.",
  unknown: "Unknown command. Send /help to see the available commands.",
  "keyboard.gone": "This button is no longer available.",
  whoami: "You are {name} (id {id}), language {lang}.",
  "echo.empty": "Send /{command} followed by some text.",
  "cmd.start": "Start the bot",
  "cmd.help": "List commands",
  "cmd.info": "About this bot",
  "cmd.contact": "Contact details",
  "cmd.news": "Latest news",
  "cmd.games": "Games",
  "cmd.settings": "Language and notifications",
  "cmd.feedback": "Send feedback",
};

export type MessageKey = keyof typeof en;

const ru: Record<MessageKey, string> = {
  "start.default": "Добро пожаловать! Отправьте /help, чтобы узнать, что я умею.",
  "help.header": "Доступные команды:",
  "info.default": "Этот бот работает на Telegram-платформе.",
  "contact.default": "Контакты для этого бота пока не указаны.",
  "news.header": "Последние новости:",
  "news.empty": "Новостей пока нет.",
  "games.header": "Игры:",
  "games.empty": "Игр пока нет.",
  "settings.title": "Настройки\nЯзык: {language}\nУведомления: {notifications}",
  "settings.language": "Язык: {language}",
  "settings.notifications_on": "Уведомления: вкл",
  "settings.notifications_off": "Уведомления: выкл",
  "settings.on": "вкл",
  "settings.off": "выкл",
  "settings.saved": "Сохранено",
  "feedback.ask": "Пожалуйста, отправьте ваш отзыв следующим сообщением.",
  "feedback.thanks": "Спасибо! Ваш отзыв сохранён.",
  unknown: "Неизвестная команда. Отправьте /help, чтобы увидеть список команд.",
  "keyboard.gone": "Эта кнопка больше не работает.",
  whoami: "Вы {name} (id {id}), язык {lang}.",
  "echo.empty": "Отправьте /{command} и текст после команды.",
  "cmd.start": "Запустить бота",
  "cmd.help": "Список команд",
  "cmd.info": "О боте",
  "cmd.contact": "Контакты",
  "cmd.news": "Последние новости",
  "cmd.games": "Игры",
  "cmd.settings": "Язык и уведомления",
  "cmd.feedback": "Оставить отзыв",
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, ru };

export const LANG_NAMES: Record<Lang, string> = { en: "English", ru: "Русский" };

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = DICTS[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** The language to answer in: the saved preference, else Telegram's language_code, else English. */
export function pickLang(preferences: Record<string, unknown> | null | undefined, languageCode: string | null | undefined): Lang {
  const pref = preferences?.language;
  if (pref === "en" || pref === "ru") return pref;
  return languageCode?.toLowerCase().startsWith("ru") ? "ru" : "en";
}
