// The command menus as lists (src/telegram/commands/menus.ts): which scope lists what, and
// the Telegram rules every list keeps whatever the table holds.
import { describe, expect, it } from "vitest";
import { buildMenus, builtinSources, type MenuSource } from "../../src/telegram/commands/menus";
import { builtinCommands } from "../../src/telegram/commands/registry";

const custom = (name: string, extra: Partial<MenuSource> = {}): MenuSource => ({
  name,
  description: { en: `about ${name}` },
  audiences: ["private", "groups"],
  ...extra,
});
const listOf = (menus: ReturnType<typeof buildMenus>, scope: string, lang = "") =>
  menus.find((m) => m.scope === scope && m.lang === lang)?.commands ?? [];

describe("buildMenus", () => {
  it("makes eight lists: four scopes, without a language and in Russian", () => {
    const menus = buildMenus(builtinSources(builtinCommands(), { aiEnabled: false }), []);
    expect(menus.map((m) => `${m.scope}|${m.lang}`)).toEqual([
      "default|",
      "default|ru",
      "all_private_chats|",
      "all_private_chats|ru",
      "all_group_chats|",
      "all_group_chats|ru",
      "all_chat_administrators|",
      "all_chat_administrators|ru",
    ]);
  });

  it("puts admin-only commands in the administrators' list after the group list, and private ones in private and default", () => {
    const menus = buildMenus(
      [],
      [custom("everyone"), custom("mods", { audiences: ["admins"] }), custom("mine", { audiences: ["private"] })],
    );
    expect(listOf(menus, "all_group_chats").map((c) => c.command)).toEqual(["everyone"]);
    expect(listOf(menus, "all_chat_administrators").map((c) => c.command)).toEqual(["everyone", "mods"]);
    expect(listOf(menus, "all_private_chats").map((c) => c.command)).toEqual(["everyone", "mine"]);
    expect(listOf(menus, "default").map((c) => c.command)).toEqual(["everyone", "mine"]);
  });

  it("keeps to Telegram's rules: 100 commands a list, descriptions of 1-256 characters, built-ins win a clash", () => {
    const many = Array.from({ length: 120 }, (_, i) => custom(`c${i}`));
    const odd = [
      custom("blank", { description: { en: "   ", ru: "" } }),
      custom("long", { description: { en: "x".repeat(300) } }),
      custom("help", { description: { en: "a custom /help" } }),
      custom("Bad-Name"),
    ];
    const menus = buildMenus(builtinSources(builtinCommands(), { aiEnabled: false }), [...odd, ...many]);
    for (const m of menus) {
      expect(m.commands.length).toBeLessThanOrEqual(100);
      for (const c of m.commands) {
        expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(c.description.length).toBeGreaterThanOrEqual(1);
        expect(c.description.length).toBeLessThanOrEqual(256);
      }
    }
    const priv = listOf(menus, "all_private_chats");
    expect(priv.find((c) => c.command === "blank")?.description).toBe("blank");
    expect(priv.find((c) => c.command === "long")?.description).toHaveLength(256);
    expect(priv.filter((c) => c.command === "help")).toEqual([{ command: "help", description: "List commands" }]);
    expect(priv.some((c) => c.command === "Bad-Name")).toBe(false);
    expect(listOf(menus, "all_private_chats", "ru").find((c) => c.command === "help")?.description).toBe("Список команд");
  });
});
