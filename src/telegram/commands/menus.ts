// The bot's command menus as Telegram shows them (setMyCommands): one list per scope and
// language, made from the built-ins and the bot's active custom commands.
//
// Telegram picks the first list set for the viewer, most specific first: in a private chat
// all_private_chats (+language) then default; in a group all_chat_administrators for its
// administrators, then all_group_chats, then default. So the administrators' list repeats
// the group list and adds the admin-only commands, and every scope gets a list without a
// language (English, for every language that has no list of its own) and one for "ru".
// The audiences only decide the menus: a command runs wherever it is typed.
import type { CommandAudience } from "../../db/schema";
import { t } from "../i18n";
import type { CommandDefinition } from "./types";

export const MENU_SCOPES = ["default", "all_private_chats", "all_group_chats", "all_chat_administrators"] as const;
export type MenuScope = (typeof MENU_SCOPES)[number];
/** language_code of each list: "" is none (English, the fallback for every language). */
export const MENU_LANGS = ["", "ru"] as const;
export type MenuLang = (typeof MENU_LANGS)[number];

export const ALL_AUDIENCES: readonly CommandAudience[] = ["private", "groups", "admins"];
/** A built-in without its own `menu`, and a custom command by default. */
export const DEFAULT_AUDIENCES: CommandAudience[] = ["private", "groups"];

const AUDIENCES_OF: Record<MenuScope, readonly CommandAudience[]> = {
  default: ["private"],
  all_private_chats: ["private"],
  all_group_chats: ["groups"],
  all_chat_administrators: ["groups", "admins"],
};

/** Telegram's rules for a menu entry (BotCommand) and a list. */
export const COMMAND_NAME_RE = /^[a-z0-9_]{1,32}$/;
export const MAX_DESCRIPTION = 256;
export const MAX_MENU_COMMANDS = 100;

export interface MenuEntry {
  command: string;
  description: string;
}

export interface Menu {
  scope: MenuScope;
  lang: MenuLang;
  commands: MenuEntry[];
}

/** A command as the menus see it. */
export interface MenuSource {
  name: string;
  description: { en: string; ru?: string | null };
  audiences: readonly CommandAudience[];
}

/** A built-in's description in a language (its i18n key, or its fixed text). */
export function describeBuiltin(def: CommandDefinition, lang: "en" | "ru"): string {
  const d = def.description;
  if (typeof d === "string") return t(lang, d);
  return (lang === "ru" && d.ru) || d.text;
}

export function builtinSources(defs: CommandDefinition[], bot: { aiEnabled: boolean }): MenuSource[] {
  return defs
    .filter((d) => !d.hidden && (!d.ai || bot.aiEnabled))
    .map((d) => ({
      name: d.name,
      description: { en: describeBuiltin(d, "en"), ru: describeBuiltin(d, "ru") },
      audiences: d.menu ?? DEFAULT_AUDIENCES,
    }));
}

/** One entry as Telegram accepts it; a description it would refuse falls back to the name. */
function entry(s: MenuSource, lang: MenuLang): MenuEntry | undefined {
  if (!COMMAND_NAME_RE.test(s.name)) return undefined;
  const text = ((lang === "ru" && s.description.ru?.trim()) || s.description.en.trim()).slice(0, MAX_DESCRIPTION);
  return { command: s.name, description: text || s.name };
}

/**
 * Every menu: built-ins first (in registry order), then custom commands (a custom one named
 * like a built-in is left out: the built-in answers it); at most 100 per list.
 */
export function buildMenus(builtins: MenuSource[], custom: MenuSource[]): Menu[] {
  const taken = new Set(builtins.map((b) => b.name));
  const sources = [...builtins, ...custom.filter((c) => !taken.has(c.name))];
  const menus: Menu[] = [];
  for (const scope of MENU_SCOPES) {
    const wanted = AUDIENCES_OF[scope];
    const inScope = sources.filter((s) => s.audiences.some((a) => wanted.includes(a)));
    for (const lang of MENU_LANGS) {
      const commands = inScope.map((s) => entry(s, lang)).filter((e) => e !== undefined);
      menus.push({ scope, lang, commands: commands.slice(0, MAX_MENU_COMMANDS) });
    }
  }
  return menus;
}
