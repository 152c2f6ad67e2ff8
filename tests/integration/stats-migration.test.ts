// After a group migrates to a supergroup, the dashboard page, its CSV export and the JSON
// API count the same chats: the old group's row is a pointer now, counted by none of them.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { page } from "./dashboard-login";
import { deliver, setupBot, type TestBot } from "./webhook-support";

const fake = new FakeTelegram();
const GROUP = -5_001;
const SUPERGROUP = -1_005_000_005_001;
const CHANNEL = -1_007_000_000_001;
const MEMBERS: Record<number, number> = { [SUPERGROUP]: 31, [CHANNEL]: 100 };
let bot: TestBot;

const from = { id: 4_001, is_bot: false, first_name: "Ann", username: "ann", language_code: "en" };
const message = (id: number, chat: Record<string, unknown>, extra: Record<string, unknown>) => ({
  update_id: 880_000 + id,
  message: { message_id: id, date: 1_700_000_000 + id, chat, from, ...extra },
});

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 9_301, "migrating_bot");
  const group = { id: GROUP, type: "group", title: "Old group" };
  await deliver(bot.id, bot.secret, message(1, group, { text: "hello" }));
  await env.DB.batch([
    env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'channel', 'News')").bind(bot.id, CHANNEL),
    // The group's figures from a collection before the upgrade, with the error it got then.
    env.DB.prepare(
      "INSERT INTO chat_stats (bot_id, chat_id, result, member_count, admin_count, error, collected_at) VALUES (?, ?, '{}', 30, 1, ?, 1700000000)",
    ).bind(bot.id, GROUP, JSON.stringify({ kind: "migrated", error_code: 400, description: "Bad Request: group chat was upgraded" })),
  ]);
  // Telegram's two service messages of an upgrade: one in the old group, one in the new supergroup.
  await deliver(bot.id, bot.secret, message(2, group, { migrate_to_chat_id: SUPERGROUP }));
  await deliver(
    bot.id,
    bot.secret,
    message(3, { id: SUPERGROUP, type: "supergroup", title: "Old group" }, { migrate_from_chat_id: GROUP }),
  );
  fake.on("getChat", (c) => {
    const id = Number(c.params.chat_id);
    return { result: { id, type: id === CHANNEL ? "channel" : "supergroup", title: id === CHANNEL ? "News" : "Old group" } };
  });
  fake.on("getChatMemberCount", (c) => ({ result: MEMBERS[Number(c.params.chat_id)] ?? 0 }));
  fake.on("getChatAdministrators", () => ({ result: [] }));
  fake.on("getChatMember", () => ({ result: { status: "administrator", user: { id: 9_301, is_bot: true, first_name: "Bot" } } }));
});
afterAll(() => fake.close());

const digits = (html: string, testId: string) => Number(new RegExp(`data-testid="${testId}">([^<]*)<`).exec(html)?.[1]?.replace(/\D/g, ""));

describe("a group that became a supergroup", () => {
  it("is counted once, alike by the JSON API, the dashboard and the CSV", async () => {
    expect(await env.DB.prepare("SELECT migrated_to_chat_id FROM chats WHERE chat_id = ?").bind(GROUP).first("migrated_to_chat_id")).toBe(
      SUPERGROUP,
    );
    const json = await apiJson<{ totals: { chats: number; members: number; errors: number } }>(`/telegram/bot/${bot.id}/chats/stats/`);
    expect(json.status).toBe(200);
    const { totals } = json.body;

    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const html = await (await page(`/studio/social/telegram-stats/?bot_id=${bot.id}`, { headers: auth })).text();
    const csv = await (await page(`/studio/social/telegram-stats/export.csv?bot_id=${bot.id}`, { headers: auth })).text();
    const rows = csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(","));

    expect(totals.chats).toBe(2); // the supergroup and the channel; not the old group
    expect(totals.members).toBe(131);
    expect(totals.errors).toBe(0); // the old group's error went with its row
    expect(digits(html, "total-chats")).toBe(totals.chats);
    expect(digits(html, "total-members")).toBe(totals.members);
    expect(html).not.toContain("group chat was upgraded");
    expect(rows.map((r) => Number(r[0])).sort()).toEqual([CHANNEL, SUPERGROUP].sort());
    expect(rows.length).toBe(totals.chats);
    expect(rows.reduce((n, r) => n + Number(r[4]), 0)).toBe(totals.members);
    expect(rows.filter((r) => r[7] && r[7] !== '""').length).toBe(totals.errors);
  });
});
