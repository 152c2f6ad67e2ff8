// The collector, through the stats endpoints: field-by-field results per chat type, the exact
// Bot API calls per chat, errors that do not stop the others, 429 honoured, migration followed.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import tooMany from "../fixtures/telegram-updates/results/ng-response-429-too_many_requests.json";
import adminsResponse from "../fixtures/telegram-updates/results/ng-response-getChatAdministrators.json";
import channelInfo from "../fixtures/telegram-updates/results/tx-ChatFullInfo-channel.json";
import adminMember from "../fixtures/telegram-updates/results/tx-ChatMember-administrator.json";
import restrictedMember from "../fixtures/telegram-updates/results/tx-ChatMember-restricted.json";
import privateUpdate from "../fixtures/telegram-updates/tx-update-message-private-text-link_preview.json";
import migrateUpdate from "../fixtures/telegram-updates/txw-message-group-migrate_to_chat_id.json";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram, type RecordedCall, type Scripted } from "../helpers/fake-telegram";

const BOT_TG_ID = adminsResponse.result[0]!.user.id; // 5681419729, "testbot", an administrator in the fixture
const fake = new FakeTelegram();
const tg = fake.addBot(BOT_TG_ID, "testbot");

const CHANNEL = -1001000000001;
const SUPERGROUP = -1001000000002;
const GROUP = -599075524; // a basic group, distinct from the migrating one
const PRIVATE = privateUpdate.message.chat.id;
const MIGRATING = migrateUpdate.message.chat.id; // -599075523 -> -1001555296434
const MIGRATED_TO = migrateUpdate.message.migrate_to_chat_id;
const REMOVED = -1001000000009;
const LIMITED = -1001000000010;
const FLOODED = -1001000000011;
const FIRST_SEEN = 1_700_000_000;

interface ChatScript {
  getChat?: Scripted | (() => Scripted);
  count?: number;
  admins?: unknown[];
  member?: unknown;
}
const scripts = new Map<number, ChatScript>();
const ok = (result: unknown): Scripted => ({ result });

function script(method: keyof ChatScript, call: RecordedCall): Scripted {
  const s = scripts.get(Number(call.params.chat_id));
  if (!s) return { error_code: 400, description: "Bad Request: chat not found" };
  const v = s[method];
  if (typeof v === "function") return v();
  if (method === "getChat") return (v as Scripted | undefined) ?? { error_code: 400, description: "Bad Request: chat not found" };
  if (method === "count") return ok(v);
  return v === undefined ? { error_code: 400, description: `Bad Request: ${method} not scripted` } : ok(v);
}

let botId = 0;
let flooded = false;
beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Stats bot", tg.token)).id;
  const rows: [number, string, string | null, string | null, string | null][] = [
    [CHANNEL, "channel", "News channel", "channel_name", null],
    [SUPERGROUP, "supergroup", "Old title", null, null],
    [GROUP, "group", "test", null, null],
    [PRIVATE, "private", null, "WaffleLapkin", "Waffle"],
    [MIGRATING, "group", "test", null, null],
    [REMOVED, "supergroup", "Gone", null, null],
    [LIMITED, "supergroup", "Busy", null, null],
    [FLOODED, "supergroup", "Flooded", null, null],
  ];
  for (const [chatId, type, title, username, firstName] of rows) {
    await env.DB.prepare(
      "INSERT INTO chats (bot_id, chat_id, type, title, username, first_name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(botId, chatId, type, title, username, firstName, FIRST_SEEN, FIRST_SEEN)
      .run();
  }
});
beforeEach(() => {
  flooded = false;
  fake.calls.length = 0; // not the getMe of the bot's creation
  scripts.clear();
  scripts.set(CHANNEL, { getChat: ok({ ...channelInfo, id: CHANNEL, title: "News channel" }), count: 1234, admins: adminsResponse.result });
  scripts.set(SUPERGROUP, {
    getChat: ok({ ...channelInfo, id: SUPERGROUP, type: "supergroup", title: "Dev chat", username: undefined }),
    count: 57,
    admins: [{ ...adminMember, custom_title: "Moderator", is_anonymous: true }, adminsResponse.result[1]],
    member: { ...restrictedMember, user: { id: BOT_TG_ID, is_bot: true, first_name: "test bot", username: "testbot" } },
  });
  scripts.set(GROUP, { getChat: ok({ ...migrateUpdate.message.chat, id: GROUP }), count: 5, admins: adminsResponse.result });
  scripts.set(PRIVATE, { getChat: ok(privateUpdate.message.chat) });
  scripts.set(MIGRATING, {
    getChat: {
      error_code: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      parameters: { migrate_to_chat_id: MIGRATED_TO },
    },
  });
  scripts.set(MIGRATED_TO, {
    getChat: ok({ id: MIGRATED_TO, type: "supergroup", title: "test" }),
    count: 8,
    admins: adminsResponse.result,
  });
  scripts.set(REMOVED, { getChat: { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" } });
  let limitedCalls = 0;
  scripts.set(LIMITED, {
    getChat: () =>
      limitedCalls++ === 0
        ? { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }
        : ok({ id: LIMITED, type: "supergroup", title: "Busy" }),
    count: 99,
    admins: adminsResponse.result,
  });
  // The fixture's retry_after (14 s) is over what the client waits out (10 s): recorded as an error.
  scripts.set(FLOODED, {
    getChat: () =>
      flooded
        ? { error_code: tooMany.error_code, description: tooMany.description, parameters: tooMany.parameters }
        : ok({ id: FLOODED, type: "supergroup", title: "Flooded" }),
    count: 7,
    admins: adminsResponse.result,
  });
  fake.on("getChat", (c) => script("getChat", c));
  fake.on("getChatMemberCount", (c) => script("count", c));
  fake.on("getChatAdministrators", (c) => script("admins", c));
  fake.on("getChatMember", (c) => script("member", c));
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const chatStats = (chatId: number) => apiJson<Record<string, unknown>>(`/telegram/bot/${botId}/chat/${chatId}/stats/?refresh=1`);
const callCounts = () => ({
  getChat: fake.callsOf("getChat").length,
  getChatMemberCount: fake.callsOf("getChatMemberCount").length,
  getChatAdministrators: fake.callsOf("getChatAdministrators").length,
  getChatMember: fake.callsOf("getChatMember").length,
  getMe: fake.callsOf("getMe").length,
  total: fake.calls.length,
});
const fixtureAdmins = [
  { user_id: BOT_TG_ID, name: "test bot", username: "testbot", status: "administrator", custom_title: null, is_anonymous: false },
  { user_id: 10081232, name: "John Doe", username: "JohnDoe", status: "creator", custom_title: null, is_anonymous: false },
];

describe("collector, one chat", () => {
  it("a channel where the bot is an administrator: 3 calls, every field", async () => {
    const { status, body } = await chatStats(CHANNEL);
    expect(status).toBe(200);
    expect(body).toEqual({
      bot_id: botId,
      chat_id: CHANNEL,
      title: "News channel",
      username: "channel_name",
      type: "channel",
      first_seen: FIRST_SEEN,
      member_count: 1234,
      admin_count: 2,
      bot_role: "administrator",
      administrators: fixtureAdmins,
      collected_at: expect.any(Number),
      error: null,
      source: "live",
      cached: false,
    });
    expect(callCounts()).toEqual({ getChat: 1, getChatMemberCount: 1, getChatAdministrators: 1, getChatMember: 0, getMe: 0, total: 3 });
    for (const c of fake.calls) expect(c.params.chat_id).toBe(CHANNEL);
  });

  it("a supergroup where the bot is not an administrator: 4 calls, its role from getChatMember", async () => {
    const { body } = await chatStats(SUPERGROUP);
    expect(body).toMatchObject({
      chat_id: SUPERGROUP,
      title: "Dev chat",
      username: null,
      type: "supergroup",
      first_seen: FIRST_SEEN,
      member_count: 57,
      admin_count: 2,
      bot_role: "restricted",
      administrators: [
        { user_id: 1029940401, name: "First Last", username: "fl", status: "administrator", custom_title: "Moderator", is_anonymous: true },
        fixtureAdmins[1],
      ],
      error: null,
    });
    expect(callCounts()).toEqual({ getChat: 1, getChatMemberCount: 1, getChatAdministrators: 1, getChatMember: 1, getMe: 0, total: 4 });
    expect(fake.callsOf("getChatMember")[0]!.params).toEqual({ chat_id: SUPERGROUP, user_id: BOT_TG_ID });
    // The chats row learns the bot's role and the new title.
    const row = await env.DB.prepare("SELECT title, bot_role FROM chats WHERE bot_id = ? AND chat_id = ?").bind(botId, SUPERGROUP).first();
    expect(row).toEqual({ title: "Dev chat", bot_role: "restricted" });
  });

  it("a basic group: 3 calls", async () => {
    const { body } = await chatStats(GROUP);
    expect(body).toMatchObject({
      chat_id: GROUP,
      title: "test",
      type: "group",
      member_count: 5,
      admin_count: 2,
      bot_role: "administrator",
    });
    expect(callCounts().total).toBe(3);
  });

  it("a private chat: getChat only, the user and the bot as members", async () => {
    const { body } = await chatStats(PRIVATE);
    expect(body).toEqual({
      bot_id: botId,
      chat_id: PRIVATE,
      title: "Waffle",
      username: "WaffleLapkin",
      type: "private",
      first_seen: FIRST_SEEN,
      member_count: 2,
      admin_count: 0,
      bot_role: "member",
      administrators: [],
      collected_at: expect.any(Number),
      error: null,
      source: "live",
      cached: false,
    });
    expect(callCounts()).toMatchObject({ getChat: 1, total: 1 });
  });

  it("stores the latest result in chat_stats", async () => {
    await chatStats(CHANNEL);
    const row = await env.DB.prepare("SELECT member_count, admin_count, error, result FROM chat_stats WHERE bot_id = ? AND chat_id = ?")
      .bind(botId, CHANNEL)
      .first<{ member_count: number; admin_count: number; error: string | null; result: string }>();
    expect(row).toMatchObject({ member_count: 1234, admin_count: 2, error: null });
    expect(JSON.parse(row!.result)).toMatchObject({ chat_id: CHANNEL, administrators: fixtureAdmins });
  });

  it("a bot removed from the chat: the error is reported, 200, role kicked", async () => {
    const { status, body } = await chatStats(REMOVED);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      chat_id: REMOVED,
      title: "Gone",
      member_count: null,
      bot_role: "kicked",
      error: { kind: "bot_removed", error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" },
    });
    expect(callCounts().total).toBe(1);
  });

  it("a 429 longer than the client waits out is recorded as the chat's error", async () => {
    flooded = true;
    const { status, body } = await chatStats(FLOODED);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      chat_id: FLOODED,
      member_count: null,
      error: { kind: "rate_limited", error_code: 429, description: "Too Many Requests: retry after 14", retry_after: 14 },
    });
    expect(callCounts().total).toBe(1);
  });

  it("a group upgraded to a supergroup is followed to its new id, once", async () => {
    await env.DB.prepare("INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages) VALUES (?, ?, '2026-11-01', 12)")
      .bind(botId, MIGRATING)
      .run();
    await env.DB.prepare(
      "INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?, ?, 1761955200, 6, 1761955200)",
    )
      .bind(botId, MIGRATING)
      .run();
    const { body } = await chatStats(MIGRATING);
    expect(body).toMatchObject({
      chat_id: MIGRATED_TO,
      migrated_from_chat_id: MIGRATING,
      type: "supergroup",
      title: "test",
      member_count: 8,
      first_seen: FIRST_SEEN,
      error: null,
    });
    expect(fake.callsOf("getChat").map((c) => c.params.chat_id)).toEqual([MIGRATING, MIGRATED_TO]);
    expect(callCounts().total).toBe(4);
    const old = await env.DB.prepare("SELECT migrated_to_chat_id FROM chats WHERE bot_id = ? AND chat_id = ?")
      .bind(botId, MIGRATING)
      .first();
    expect(old).toEqual({ migrated_to_chat_id: MIGRATED_TO });
    const moved = await env.DB.prepare("SELECT type, title, first_seen_at FROM chats WHERE bot_id = ? AND chat_id = ?")
      .bind(botId, MIGRATED_TO)
      .first();
    expect(moved).toEqual({ type: "supergroup", title: "test", first_seen_at: FIRST_SEEN });
    // Its activity rollups and member-count history moved with it.
    const rollup = await env.DB.prepare("SELECT chat_id, messages FROM chat_daily_activity WHERE bot_id = ?").bind(botId).all();
    expect(rollup.results).toEqual([{ chat_id: MIGRATED_TO, messages: 12 }]);
    const history = await env.DB.prepare("SELECT chat_id, member_count FROM chat_snapshots WHERE bot_id = ?").bind(botId).all();
    expect(history.results).toEqual([{ chat_id: MIGRATED_TO, member_count: 6 }]);

    // Next time the old id goes straight to the supergroup.
    fake.reset();
    fake.on("getChat", (c) => script("getChat", c));
    fake.on("getChatMemberCount", (c) => script("count", c));
    fake.on("getChatAdministrators", (c) => script("admins", c));
    const again = await chatStats(MIGRATING);
    expect(again.body).toMatchObject({ chat_id: MIGRATED_TO, member_count: 8 });
    expect(fake.callsOf("getChat").map((c) => c.params.chat_id)).toEqual([MIGRATED_TO]);
  });
});

describe("collector, all chats", () => {
  it("collects every group and channel; one chat's 403 or 429 never stops the others", async () => {
    const { status, body } = await apiJson<{
      totals: { chats: number; members: number; errors: number; by_type: Record<string, { chats: number; members: number }> };
      coverage: Record<string, unknown>;
      count: number;
      results: { chat_id: number; member_count: number | null; source: string; error: { kind: string } | null }[];
      errors: { chat_id: number; title: string; error: { kind: string; error_code: number } }[];
    }>(`/telegram/bot/${botId}/chats/stats/?refresh=1`);
    expect(status).toBe(200);
    const byId = new Map(body.results.map((r) => [r.chat_id, r]));
    // Private chats are counted, not collected; the migrated group appears under its new id.
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(
      [CHANNEL, SUPERGROUP, GROUP, REMOVED, LIMITED, FLOODED, MIGRATED_TO].sort((a, b) => a - b),
    );
    expect(body.results.every((r) => r.source === "live")).toBe(true);
    expect(byId.get(LIMITED)).toMatchObject({ member_count: 99, error: null });
    expect(byId.get(CHANNEL)).toMatchObject({ member_count: 1234, error: null });
    expect(fake.callsOf("getChat").filter((c) => c.params.chat_id === LIMITED)).toHaveLength(2); // 429, waited, then success

    expect(body.errors).toEqual([
      {
        chat_id: REMOVED,
        title: "Gone",
        error: { kind: "bot_removed", error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" },
      },
    ]);
    expect(body.totals).toMatchObject({
      chats: 8, // the private chat included; the old group id is not counted twice
      members: 1234 + 57 + 5 + 2 + 8 + 99 + 7,
      errors: 1,
      by_type: {
        channel: { chats: 1, members: 1234 },
        supergroup: { chats: 5, members: 57 + 8 + 99 + 7 },
        group: { chats: 1, members: 5 },
        private: { chats: 1, members: 2 },
      },
    });
    expect(body.coverage).toMatchObject({ live: 7, never_collected: 0, complete: true, call_budget: 200 });
    // Exactly: channel, group, the (already followed) supergroup and FLOODED at 3 calls; the supergroup
    // where the bot is no administrator at 3 too, as its role (restricted) was recorded when it was
    // collected above, so no getChatMember; the 429 chat at 2 + 2; the removed bot's chat at 1.
    expect(callCounts()).toMatchObject({ total: 4 * 3 + 3 + 4 + 1, getMe: 0, getChatMember: 0 });
    expect(byId.get(SUPERGROUP)).toMatchObject({ bot_role: "restricted" });
  });

  it("stops starting chats after a 429 it cannot wait out, and serves the rest from stored results", async () => {
    flooded = true;
    const { createDb } = await import("../../src/db/client");
    const { createLogger } = await import("../../src/lib/log");
    const { getBotChatsStats } = await import("../../src/stats");
    await env.DB.prepare("UPDATE chat_stats SET collected_at = 0 WHERE bot_id = ? AND chat_id = ?").bind(botId, FLOODED).run();
    const answer = await getBotChatsStats({ env, db: createDb(env.DB), log: createLogger({}, () => {}) }, botId, { refresh: true });
    // FLOODED is the stalest, so it starts first; the others already running finish, nothing new starts.
    expect(answer.results.find((r) => r.chat_id === FLOODED)).toMatchObject({ source: "live", error: { kind: "rate_limited" } });
    expect(answer.coverage.live).toBeLessThan(7);
    expect(answer.coverage.note).toMatch(/429, retry after 14 s/);
    expect(answer.errors.map((e) => e.chat_id).sort()).toEqual([REMOVED, FLOODED].sort());
  });

  it("serves the chats over the live budget from stored results and says so", async () => {
    await env.DB.prepare("DELETE FROM chat_stats WHERE bot_id = ? AND chat_id = ?").bind(botId, FLOODED).run();
    // A budget of 4 calls (one chat) through the service, so the rest comes from chat_stats.
    const { getBotChatsStats } = await import("../../src/stats");
    const { createDb } = await import("../../src/db/client");
    const { createLogger } = await import("../../src/lib/log");
    const answer = await getBotChatsStats({ env, db: createDb(env.DB), log: createLogger({}, () => {}) }, botId, {
      refresh: true,
      liveCallBudget: 4,
    });
    expect(answer.coverage).toMatchObject({ live: 1, call_budget: 4 });
    // The stalest chat (never collected since the delete) is the one collected live.
    expect(answer.results.find((r) => r.chat_id === FLOODED)?.source).toBe("live");
    expect(answer.results.filter((r) => r.source === "stored")).toHaveLength(6);
    expect(answer.coverage.note).toMatch(/latest stored result/);
    expect(fake.calls.length).toBeLessThanOrEqual(4);
  });
});
