// Command menus at Telegram (setMyCommands per scope and language), as the fake Bot API
// receives them: set when a bot is registered, not sent again when nothing changed, a
// failure recorded without failing the registration, custom commands in the scopes they
// name with their Russian descriptions, and the on-demand sync.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson } from "../helpers/api";
import { FakeTelegram, type RecordedCall } from "../helpers/fake-telegram";

const fake = new FakeTelegram();
beforeAll(() => fake.listen());
afterEach(() => fake.reset());
afterAll(() => fake.close());

type Entry = { command: string; description: string };
const SCOPES = ["default", "all_private_chats", "all_group_chats", "all_chat_administrators"];

/** The menus Telegram was given, by "scope|language" (language "" when none was given). */
function menusSent(calls: RecordedCall[] = fake.callsOf("setMyCommands")): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>();
  for (const c of calls) {
    const key = `${(c.params.scope as { type: string }).type}|${(c.params.language_code as string | undefined) ?? ""}`;
    out.set(key, c.params.commands as Entry[]);
  }
  return out;
}
const names = (m: Map<string, Entry[]>, key: string) => m.get(key)?.map((e) => e.command);

async function register(tgId: number, username: string) {
  const { token } = fake.addBot(tgId, username);
  return apiJson<{
    id: number;
    commands_sync: { synced_at: number | null; menus_synced: number; menus_failed: number; last_error: string | null };
  }>("/api/bots", { body: { name: `menus-${username}`, token } });
}

describe("registering a bot", () => {
  it("sets a menu for each scope in English (no language_code) and Russian, with the built-ins where they belong", async () => {
    const res = await register(8601, "menus_a_bot");
    expect(res.status).toBe(201);
    const calls = fake.callsOf("setMyCommands");
    expect(calls).toHaveLength(8);
    const sent = menusSent(calls);
    expect([...sent.keys()].sort()).toEqual(SCOPES.flatMap((s) => [`${s}|`, `${s}|ru`]).sort());

    // Private chats: everything for a user, /settings and /feedback included.
    expect(names(sent, "all_private_chats|")).toEqual([
      "start",
      "help",
      "info",
      "contact",
      "news",
      "games",
      "settings",
      "feedback",
      "reset",
    ]);
    expect(names(sent, "default|")).toEqual(names(sent, "all_private_chats|"));
    // Groups: no /start, /settings, /feedback; /reset (everyone's conversation) only for administrators.
    expect(names(sent, "all_group_chats|")).toEqual(["help", "info", "contact", "news", "games"]);
    expect(names(sent, "all_chat_administrators|")).toEqual(["help", "info", "contact", "news", "games", "reset"]);

    expect(sent.get("all_private_chats|")?.find((e) => e.command === "settings")?.description).toBe("Language and notifications");
    expect(sent.get("all_private_chats|ru")?.find((e) => e.command === "settings")?.description).toBe("Язык и уведомления");
    expect(sent.get("all_chat_administrators|ru")?.find((e) => e.command === "reset")?.description).toMatch(/ИИ/);
    // Every entry is one Telegram accepts.
    for (const list of sent.values()) {
      for (const e of list) {
        expect(e.command).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(e.description.length).toBeGreaterThanOrEqual(1);
        expect(e.description.length).toBeLessThanOrEqual(256);
      }
    }
    expect(res.body.commands_sync).toMatchObject({ menus_synced: 8, menus_failed: 0, last_error: null });
    expect(res.body.commands_sync.synced_at).toEqual(expect.any(Number));
  });

  it("does not send the menus again when nothing changed (webhook set, a forced sync aside)", async () => {
    const { body: bot } = await register(8602, "menus_b_bot");
    fake.reset();
    const set = await apiJson<{ commands_sync: { calls: number; skipped: number } }>(`/telegram/webhook/${bot.id}/set/`, { body: {} });
    expect(set.status).toBe(200);
    expect(set.body.commands_sync).toMatchObject({ calls: 0, skipped: 8 });
    const again = await apiJson<{ sync: { calls: number; skipped: number } }>(`/api/bots/${bot.id}/commands/sync`, { body: {} });
    expect(again.body.sync).toMatchObject({ calls: 0, skipped: 8 });
    expect(fake.callsOf("setMyCommands")).toHaveLength(0);

    const forced = await apiJson<{ sync: { ok: boolean; calls: number } }>(`/api/bots/${bot.id}/commands/sync`, { body: { force: true } });
    expect(forced.body.sync).toMatchObject({ ok: true, calls: 8 });
    expect(fake.callsOf("setMyCommands")).toHaveLength(8);
  });

  it("records a failed setMyCommands without failing the registration, and the next sync retries only what failed", async () => {
    // Telegram refuses the Russian lists (and only those).
    fake.on("setMyCommands", (c) =>
      c.params.language_code === "ru" ? { error_code: 400, description: "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID" } : undefined,
    );
    const res = await register(8603, "menus_c_bot");
    expect(res.status).toBe(201);
    expect(res.body.commands_sync).toMatchObject({ synced_at: null, menus_synced: 4, menus_failed: 4 });
    expect(res.body.commands_sync.last_error).toContain("BOT_COMMAND_DESCRIPTION_INVALID");
    const got = await apiJson<{ commands_sync: { menus_failed: number } }>(`/api/bots/${res.body.id}`);
    expect(got.body.commands_sync.menus_failed).toBe(4);
    const menus = await apiJson<{ menus: { scope: string; language_code: string | null; in_sync: boolean; last_error: string | null }[] }>(
      `/api/bots/${res.body.id}/commands`,
    );
    expect(menus.body.menus.filter((m) => !m.in_sync).map((m) => m.language_code)).toEqual(["ru", "ru", "ru", "ru"]);

    fake.reset(); // Telegram takes them now
    const retry = await apiJson<{
      sync: { ok: boolean; calls: number; skipped: number };
      status: { menus_failed: number; synced_at: number | null };
    }>(`/api/bots/${res.body.id}/commands/sync`, { body: {} });
    expect(retry.body.sync).toMatchObject({ ok: true, calls: 4, skipped: 4 });
    expect(fake.callsOf("setMyCommands").every((c) => c.params.language_code === "ru")).toBe(true);
    expect(retry.body.status.menus_failed).toBe(0);
    expect(retry.body.status.synced_at).toEqual(expect.any(Number));
  });

  it("sets every menu again when the token changes to another Telegram bot, and none for a change that leaves the menus alone", async () => {
    const { body: bot } = await register(8608, "menus_h_bot");
    fake.reset();
    expect((await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { welcome_text: "Hi" } })).status).toBe(200);
    expect(fake.callsOf("setMyCommands")).toHaveLength(0);
    const { token } = fake.addBot(8609, "menus_h2_bot");
    expect((await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { token } })).status).toBe(200);
    const calls = fake.callsOf("setMyCommands");
    expect(calls).toHaveLength(8);
    expect(calls.every((c) => c.token === token)).toBe(true);
  });

  it("lists the AI commands only while the bot's AI is on, and resends the lists when the switch changes", async () => {
    const { body: bot } = await register(8610, "menus_ai_bot");
    fake.reset();
    expect((await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { ai_enabled: true } })).status).toBe(200);
    const on = menusSent(fake.callsOf("setMyCommands"));
    expect(names(on, "all_private_chats|")).toEqual(expect.arrayContaining(["cancel", "retry", "mode", "model", "usage"]));
    expect(names(on, "all_group_chats|")).toEqual(expect.arrayContaining(["cancel", "retry", "mode", "model", "usage"]));
    fake.reset();
    expect((await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { ai_enabled: false } })).status).toBe(200);
    const off = menusSent(fake.callsOf("setMyCommands"));
    expect(names(off, "all_private_chats|")).not.toContain("cancel");
    expect(names(off, "all_group_chats|")).not.toContain("usage");
  });

  it("registers the bot even when Telegram is unreachable for setMyCommands", async () => {
    fake.on("setMyCommands", () => ({ networkError: true }));
    const res = await register(8604, "menus_d_bot");
    expect(res.status).toBe(201);
    expect(res.body.commands_sync.menus_failed).toBe(8);
    expect((await apiJson(`/api/bots/${res.body.id}`)).status).toBe(200);
  });
});

describe("custom commands in the menus", () => {
  it("lists a command in the scopes it names, with its Russian description, and resends only the lists that changed", async () => {
    const { body: bot } = await register(8605, "menus_e_bot");
    fake.reset();
    const created = await apiJson<{ id: number; audiences: string[]; sync: { calls: number; skipped: number } }>("/api/commands", {
      body: {
        bot_id: bot.id,
        command: "ban_help",
        description: "How bans work",
        description_ru: "Как работают баны",
        audiences: ["admins"],
        reply_text: "…",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.audiences).toEqual(["admins"]);
    // Only the administrators' lists changed.
    expect(created.body.sync).toMatchObject({ calls: 2, skipped: 6 });
    const sent = menusSent();
    expect([...sent.keys()].sort()).toEqual(["all_chat_administrators|", "all_chat_administrators|ru"]);
    expect(sent.get("all_chat_administrators|")?.at(-1)).toEqual({ command: "ban_help", description: "How bans work" });
    expect(sent.get("all_chat_administrators|ru")?.at(-1)).toEqual({ command: "ban_help", description: "Как работают баны" });

    fake.reset();
    const moved = await apiJson<{ sync: { calls: number } }>(`/api/commands/${created.body.id}`, {
      method: "PATCH",
      body: { audiences: ["private"], description_ru: null },
    });
    expect(moved.status).toBe(200);
    // Out of the administrators' lists, into the private and default ones.
    expect(moved.body.sync.calls).toBe(6);
    const sent2 = menusSent();
    expect(names(sent2, "all_chat_administrators|")).not.toContain("ban_help");
    expect(names(sent2, "all_private_chats|")).toContain("ban_help");
    // Without a Russian description the Russian menu shows the English one.
    expect(sent2.get("all_private_chats|ru")?.find((e) => e.command === "ban_help")?.description).toBe("How bans work");

    // A command without a description is shown with its name (Telegram needs 1-256 characters).
    fake.reset();
    await apiJson("/api/commands", { body: { bot_id: bot.id, command: "nodesc", reply_text: "x" } });
    expect(
      menusSent()
        .get("all_group_chats|")
        ?.find((e) => e.command === "nodesc")?.description,
    ).toBe("nodesc");
  });

  it("refuses descriptions and audiences Telegram or the menus cannot take", async () => {
    const { body: bot } = await register(8606, "menus_f_bot");
    const bad = [
      { description: "x".repeat(257) },
      { description_ru: "я".repeat(257) },
      { audiences: [] },
      { audiences: ["channels"] },
      { command: "a".repeat(33) },
      { command: "with-dash" },
    ];
    for (const extra of bad) {
      const res = await apiJson<{ error: { code: string; message: string } }>("/api/commands", {
        body: { bot_id: bot.id, command: "ok_cmd", reply_text: "x", ...extra },
      });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body.error.code).toBe("BAD_REQUEST");
    }
  });

  it("the on-demand sync refuses a body it does not know and an unknown bot", async () => {
    const { body: bot } = await register(8607, "menus_g_bot");
    expect((await apiJson(`/api/bots/${bot.id}/commands/sync`, { body: { force: "yes" } })).status).toBe(400);
    expect((await apiJson(`/api/bots/${bot.id}/commands/sync`, { body: "{not json" })).status).toBe(400);
    expect((await apiJson("/api/bots/999999/commands/sync", { body: {} })).status).toBe(404);
  });
});
