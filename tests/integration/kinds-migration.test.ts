// A group upgraded to a supergroup: everything keyed by the old chat id moves at once, when
// the upgrade's service messages are stored (not when the stats collector notices), in every
// table that has a chat id column, found by reading the schema so a future table cannot be
// forgotten. Telegram sends both sides of the upgrade (migrate_from_chat_id in the new
// supergroup, migrate_to_chat_id in the old group), in either order; the second changes
// nothing. Afterwards the stats API and the dashboard show one chat.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryKey } from "../../src/ai/memory";
import type { BotCoordinator } from "../../src/coordinator/bot-coordinator";
import { coordinatorFor } from "../../src/coordinator/stub";
import { createDb } from "../../src/db/client";
import { migrateChat } from "../../src/telegram/ingest/migrate";
import { ADMIN_TOKEN, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { page } from "./dashboard-login";
import { deliver, setupBot, type TestBot } from "./webhook-support";

const fake = new FakeTelegram();
const GROUP = -5_101;
const SUPER = -1_005_000_005_101;
const NOW = Math.floor(Date.now() / 1000) - 3_600;
const DAY = new Date(NOW * 1000).toISOString().slice(0, 10);
let bot: TestBot;

const ann = { id: 4_101, is_bot: false, first_name: "Ann", username: "ann", language_code: "en" };
const olga = { id: 4_102, is_bot: false, first_name: "Olga", username: "olga_admin" };
const nina = { id: 4_103, is_bot: false, first_name: "Nina" };
const group = { id: GROUP, type: "group", title: "Readers" };
const supergroup = { id: SUPER, type: "supergroup", title: "Readers" };
let uid = 990_000;
const msg = (chat: object, id: number, extra: object) => ({
  update_id: uid++,
  message: { message_id: id, date: NOW, chat, from: ann, ...extra },
});

async function send(update: object) {
  const res = await deliver(bot.id, bot.secret, update);
  expect(res.status).toBe(200);
}

/** Every (table, column) whose column holds a chat id: chat_id, or a name ending in _chat_id. */
async function chatIdColumns(): Promise<{ table: string; column: string }[]> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  const out: { table: string; column: string }[] = [];
  for (const { name } of tables.results) {
    const cols = await env.DB.prepare("SELECT name FROM pragma_table_info(?)").bind(name).all<{ name: string }>();
    for (const c of cols.results) if (c.name === "chat_id" || c.name.endsWith("_chat_id")) out.push({ table: name, column: c.name });
  }
  return out;
}

/** Where rows under the old id are left ("table.column: n"); the chats row is the one pointer allowed. */
async function leftUnderOldId(): Promise<string[]> {
  const left: string[] = [];
  for (const { table, column } of await chatIdColumns()) {
    if (table === "chats" && column === "migrated_to_chat_id") continue;
    const n = Number(await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(GROUP).first("n"));
    const allowed = table === "chats" && column === "chat_id" ? 1 : 0;
    if (n !== allowed) left.push(`${table}.${column}: ${n}`);
  }
  return left;
}

/** Every row of every table that names a chat id, for this bot (the idempotence check). */
async function dump(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { table } of await chatIdColumns()) {
    if (out[table]) continue;
    const hasBot =
      (await env.DB.prepare("SELECT count(*) AS n FROM pragma_table_info(?) WHERE name = 'bot_id'").bind(table).first("n")) === 1;
    const rows = hasBot
      ? await env.DB.prepare(`SELECT * FROM ${table} WHERE bot_id = ? ORDER BY 1, 2, 3`).bind(bot.id).all()
      : await env.DB.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
    out[table] = rows.results;
  }
  return out;
}

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 9_401, "kinds_migrating_bot");
  fake.on("getChat", (c) => ({ result: { id: Number(c.params.chat_id), type: "supergroup", title: "Readers" } }));
  fake.on("getChatMemberCount", () => ({ result: 42 }));
  fake.on("getChatAdministrators", () => ({ result: [] }));
  fake.on("getChatMember", () => ({ result: { status: "administrator", user: { id: 9_401, is_bot: true, first_name: "Bot" } } }));

  // The group's life before the upgrade, as Telegram delivers it.
  await send(msg(group, 1, { text: "hello" }));
  await send(msg(group, 2, { text: "second" }));
  await send({
    update_id: uid++,
    message_reaction: {
      chat: group,
      message_id: 1,
      user: ann,
      date: NOW,
      old_reaction: [],
      new_reaction: [{ type: "emoji", emoji: "👍" }],
    },
  });
  await send({
    update_id: uid++,
    chat_member: {
      chat: group,
      from: nina,
      date: NOW,
      old_chat_member: { status: "left", user: nina },
      new_chat_member: { status: "member", user: nina },
      invite_link: {
        invite_link: "https://t.me/+AbC...",
        creator: olga,
        creates_join_request: false,
        is_primary: false,
        is_revoked: false,
        name: "Spring",
      },
    },
  });
  await send({ update_id: uid++, chat_join_request: { chat: group, from: ann, user_chat_id: ann.id, date: NOW } });
  // The supergroup already has a message with the same id as one of the group's (ids are counted apart).
  await send(msg(supergroup, 1, { text: "first in the supergroup" }));

  // What the rest of the platform keeps under the group's id.
  const day = Math.floor(NOW / 3600) * 3600;
  await env.DB.batch([
    env.DB.prepare("INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?, ?, ?, 30, ?)").bind(
      bot.id,
      GROUP,
      day - 7200,
      NOW,
    ),
    env.DB.prepare("INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?, ?, ?, 31, ?)").bind(
      bot.id,
      GROUP,
      day,
      NOW,
    ),
    env.DB.prepare("INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?, ?, ?, 33, ?)").bind(
      bot.id,
      SUPER,
      day,
      NOW,
    ),
    env.DB.prepare(
      "INSERT INTO chat_stats (bot_id, chat_id, result, member_count, admin_count, collected_at) VALUES (?, ?, ?, 30, 1, ?)",
    ).bind(bot.id, GROUP, JSON.stringify({ chat_id: GROUP, type: "group", member_count: 30 }), NOW),
    env.DB.prepare("INSERT INTO feedback (bot_id, chat_id, user_id, text, update_id) VALUES (?, ?, ?, 'nice', 1)").bind(
      bot.id,
      GROUP,
      ann.id,
    ),
    env.DB.prepare('INSERT INTO sessions (bot_id, chat_id, user_id, data, expires_at) VALUES (?, ?, ?, \'{"dialog":"feedback"}\', ?)').bind(
      bot.id,
      GROUP,
      ann.id,
      NOW + 86_400,
    ),
    env.DB.prepare("INSERT INTO broadcasts (id, bot_id, text) VALUES (77, ?, 'news')").bind(bot.id),
    env.DB.prepare("INSERT INTO broadcast_deliveries (broadcast_id, chat_id) VALUES (77, ?)").bind(GROUP),
    env.DB.prepare(
      "INSERT INTO ai_usage_totals (bot_id, scope, subject_id, period, requests, tokens) VALUES (?, 'chat', ?, ?, 3, 300), (?, 'chat', ?, ?, 1, 50)",
    ).bind(bot.id, GROUP, DAY, bot.id, SUPER, DAY),
    env.DB.prepare("UPDATE bots SET ai_group_allowlist = ? WHERE id = ?").bind(JSON.stringify([GROUP, -777]), bot.id),
    env.DB.prepare("INSERT INTO chat_ai_settings (bot_id, chat_id, model) VALUES (?, ?, 'gpt-4o')").bind(bot.id, GROUP),
  ]);
  await runInDurableObject(coordinatorFor(env, bot.id), async (_i: BotCoordinator, state) => {
    await state.storage.put(memoryKey(GROUP), [
      { role: "user", content: "what is new?" },
      { role: "assistant", content: "nothing yet" },
    ]);
  });

  // The upgrade: the new supergroup's side first, then the old group's.
  await send(msg(supergroup, 2, { migrate_from_chat_id: GROUP }));
  await send(msg(group, 3, { migrate_to_chat_id: SUPER }));
});
afterAll(() => fake.close());

describe("a group upgraded to a supergroup", () => {
  it("leaves no row under the old id in any table with a chat id column (the old chat row is only a pointer)", async () => {
    const columns = await chatIdColumns();
    const tables = new Set(columns.map((c) => c.table));
    // The schema read found what we know holds chat ids, and the new tables.
    for (const t of [
      "chats",
      "messages",
      "sessions",
      "feedback",
      "chat_snapshots",
      "chat_stats",
      "chat_daily_activity",
      "chat_user_daily",
      "chat_hourly_activity",
      "member_events",
      "broadcast_deliveries",
      "message_reactions",
      "message_reaction_counts",
      "chat_reaction_daily",
      "invite_joins",
    ])
      expect(tables, t).toContain(t);

    expect(await leftUnderOldId()).toEqual([]);
    // The one row left is the pointer to the supergroup.
    expect(await env.DB.prepare("SELECT migrated_to_chat_id FROM chats WHERE chat_id = ?").bind(GROUP).first("migrated_to_chat_id")).toBe(
      SUPER,
    );
    // Chat ids kept outside chat_id columns: the AI usage per chat and the AI group allow-list.
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM ai_usage_totals WHERE scope = 'chat' AND subject_id = ?").bind(GROUP).first("n"),
    ).toBe(0);
    expect(await env.DB.prepare("SELECT ai_group_allowlist AS a FROM bots WHERE id = ?").bind(bot.id).first("a")).toBe(
      JSON.stringify([SUPER, -777]),
    );
  });

  it("keeps everything under the new id, merging what both ids had", async () => {
    const one = async (q: string, ...p: unknown[]) =>
      env.DB.prepare(q)
        .bind(...p)
        .first();
    // Messages: the group's 3, the supergroup's 2; the group's message 1 kept without its id (the supergroup has a 1).
    expect(
      await one(
        "SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'in' AND kind != 'service'",
        bot.id,
        SUPER,
      ),
    ).toEqual({
      n: 3,
    });
    expect(
      await one(
        "SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND message_id IS NULL AND text = 'hello'",
        bot.id,
        SUPER,
      ),
    ).toEqual({
      n: 1,
    });
    // Rollups added up: 3 messages by one user that day, the join counted.
    expect(
      await one(
        "SELECT messages, active_users, joins FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ? AND day = ?",
        bot.id,
        SUPER,
        DAY,
      ),
    ).toEqual({
      messages: 3,
      active_users: 1,
      joins: 1,
    });
    expect(
      await one("SELECT messages FROM chat_user_daily WHERE bot_id = ? AND chat_id = ? AND user_id = ?", bot.id, SUPER, ann.id),
    ).toEqual({ messages: 3 });
    // Snapshots: the supergroup's own row wins its period; the group's other period moves.
    const snaps = await env.DB.prepare("SELECT member_count FROM chat_snapshots WHERE bot_id = ? AND chat_id = ? ORDER BY period_start")
      .bind(bot.id, SUPER)
      .all();
    expect(snaps.results).toEqual([{ member_count: 30 }, { member_count: 33 }]);
    const stats = await one("SELECT result FROM chat_stats WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER);
    expect(JSON.parse(String(stats?.result))).toMatchObject({ chat_id: SUPER, type: "supergroup", member_count: 30 });
    expect(await one("SELECT reaction FROM message_reactions WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER)).toEqual({ reaction: "👍" });
    expect(await one("SELECT reactions FROM chat_reaction_daily WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER)).toEqual({
      reactions: 1,
    });
    const joins = await env.DB.prepare("SELECT kind, creator_user_id FROM invite_joins WHERE bot_id = ? AND chat_id = ? ORDER BY kind")
      .bind(bot.id, SUPER)
      .all();
    expect(joins.results).toEqual([
      { kind: "join", creator_user_id: olga.id },
      { kind: "request", creator_user_id: null },
    ]);
    expect(await one("SELECT text FROM feedback WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER)).toEqual({ text: "nice" });
    expect(await one("SELECT data FROM sessions WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER)).toEqual({
      data: '{"dialog":"feedback"}',
    });
    expect(await one("SELECT status FROM broadcast_deliveries WHERE broadcast_id = 77 AND chat_id = ?", SUPER)).toEqual({
      status: "pending",
    });
    expect(
      await one("SELECT requests, tokens FROM ai_usage_totals WHERE bot_id = ? AND scope = 'chat' AND subject_id = ?", bot.id, SUPER),
    ).toEqual({
      requests: 4,
      tokens: 350,
    });
    expect(await one("SELECT model FROM chat_ai_settings WHERE bot_id = ? AND chat_id = ?", bot.id, SUPER)).toEqual({ model: "gpt-4o" });
    // The AI memory in the bot's coordinator moved too.
    const memory = await runInDurableObject(coordinatorFor(env, bot.id), async (_i: BotCoordinator, state) => ({
      old: await state.storage.get(memoryKey(GROUP)),
      now: await state.storage.get<unknown[]>(memoryKey(SUPER)),
    }));
    expect(memory.old).toBeUndefined();
    expect(memory.now).toHaveLength(2);
  });

  it("changes nothing when the migration runs again (the collector finding it later, or a send's retry)", async () => {
    const before = await dump();
    await migrateChat(createDb(env.DB), bot.id, GROUP, SUPER);
    await migrateChat(createDb(env.DB), bot.id, GROUP, SUPER);
    expect(await dump()).toEqual(before);
    // A late copy of the old group's service message (a new update) is stored and moved at once.
    await send(msg(group, 4, { migrate_to_chat_id: SUPER }));
    expect(await leftUnderOldId()).toEqual([]);
  });

  it("shows one chat in the stats API, the analytics and the dashboard", async () => {
    const stats = await apiJson<{ totals: { chats: number }; results: { chat_id: number }[] }>(
      `/telegram/bot/${bot.id}/chats/stats/?refresh=1`,
    );
    expect(stats.status).toBe(200);
    expect(stats.body.totals.chats).toBe(1);
    expect(stats.body.results.map((r) => r.chat_id)).toEqual([SUPER]);
    const summary = await apiJson<{ totals: { messages: number; joins: number } }>(`/api/analytics/${bot.id}/summary?chat_id=${SUPER}`);
    expect(summary.body.totals).toMatchObject({ messages: 3, joins: 1 });
    const posts = await apiJson<{ results: { chat_id: number; total: number }[] }>(`/api/analytics/${bot.id}/top-reacted-posts`);
    expect(posts.body.results).toEqual([expect.objectContaining({ chat_id: SUPER, total: 1 })]);

    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const dashboard = await (await page(`/studio/social/telegram-stats/?bot_id=${bot.id}`, { headers: auth })).text();
    expect(/data-testid="total-chats">([^<]*)</.exec(dashboard)?.[1]).toBe("1");
    const channels = await (await page(`/telegram/channel-stats/?bot_id=${bot.id}`, { headers: auth })).text();
    expect(channels).toContain(String(SUPER));
    expect(channels).not.toContain(String(GROUP));
  });
});
