// The bot's own role and what it costs: a role Telegram told us (my_chat_member, through the
// webhook) or an earlier collection recorded saves the 4th call (getChatMember); an unknown role
// still costs it once and is then known; the administrators list always wins over a stored role.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { createLogger } from "../../src/lib/log";
import { getBotChatsStats } from "../../src/stats/service";
import { saveResults } from "../../src/stats/store";
import type { ChatStats } from "../../src/stats/types";
import { apiJson } from "../helpers/api";
import { FakeTelegram, type RecordedCall, type Scripted } from "../helpers/fake-telegram";
import { deliver, setupBot, type TestBot } from "./webhook-support";

const BOT_TG_ID = 7_100_001;
const fake = new FakeTelegram();
let bot: TestBot;

const JOINED = -1007100000001; // the bot was added as a member: Telegram said so (my_chat_member)
const UNKNOWN = -1007100000002; // the bot is restricted here; nothing recorded yet
const PROMOTED = -1007100000003; // recorded as member, since made an administrator
const DEMOTED = -1007100000004; // recorded as administrator, no longer one

const botUser = { id: BOT_TG_ID, is_bot: true, first_name: "Role bot", username: "role_bot" };
const owner = { user: { id: 10081232, is_bot: false, first_name: "John" }, status: "creator", is_anonymous: false };
const asAdmin = { user: botUser, status: "administrator", can_be_edited: false, is_anonymous: false };
/** Whether the bot is in each chat's administrators list, and what getChatMember says otherwise. */
const inList = new Map<number, boolean>();
const memberStatus = new Map<number, string>([
  [UNKNOWN, "restricted"],
  [DEMOTED, "member"],
]);

const chatOf = (c: RecordedCall) => Number(c.params.chat_id);
function answer(method: string, c: RecordedCall): Scripted {
  const id = chatOf(c);
  if (method === "getChat") return { result: { id, type: "supergroup", title: `Chat ${id}` } };
  if (method === "getChatMemberCount") return { result: 40 };
  if (method === "getChatAdministrators") return { result: inList.get(id) ? [owner, asAdmin] : [owner] };
  const status = memberStatus.get(id) ?? "member";
  return { result: status === "restricted" ? { user: botUser, status, is_member: true, until_date: 0 } : { user: botUser, status } };
}

let updateId = 900_000;
/** The update Telegram sends when the bot's status in a chat changes. */
const myChatMember = (chatId: number, from: string, to: string) => ({
  update_id: updateId++,
  my_chat_member: {
    chat: { id: chatId, type: "supergroup", title: `Chat ${chatId}` },
    from: { id: 10081232, is_bot: false, first_name: "John" },
    date: 1_764_000_000,
    old_chat_member: { user: botUser, status: from },
    new_chat_member: to === "administrator" ? asAdmin : { user: botUser, status: to },
  },
});

const roleOf = async (chatId: number) =>
  (await env.DB.prepare("SELECT bot_role FROM chats WHERE bot_id = ? AND chat_id = ?").bind(bot.id, chatId).first<{ bot_role: string }>())
    ?.bot_role;
const callsFor = (chatId: number) => fake.calls.filter((c) => chatOf(c) === chatId).map((c) => c.method);
const stats = (chatId: number) =>
  apiJson<{ bot_role: string | null; error: unknown }>(`/telegram/bot/${bot.id}/chat/${chatId}/stats/?refresh=1`);

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, BOT_TG_ID, "role_bot");
  // How the chats come to be known in real life: Telegram tells the bot it was added.
  for (const [chatId, role] of [
    [JOINED, "member"],
    [UNKNOWN, null],
    [PROMOTED, "member"],
    [DEMOTED, "administrator"],
  ] as const) {
    if (role) expect((await deliver(bot.id, bot.secret, myChatMember(chatId, "left", role))).status).toBe(200);
    else {
      await env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'Chat')")
        .bind(bot.id, chatId)
        .run();
    }
  }
});
beforeEach(() => {
  fake.calls.length = 0;
  inList.clear();
  inList.set(PROMOTED, true);
  for (const m of ["getChat", "getChatMemberCount", "getChatAdministrators", "getChatMember"]) fake.on(m, (c) => answer(m, c));
});
afterAll(() => fake.close());

describe("the bot's role", () => {
  it("is recorded from my_chat_member, before any collection", async () => {
    expect(await roleOf(JOINED)).toBe("member");
    expect(await roleOf(UNKNOWN)).toBeNull();
    // The all-chats answer from stored data only: never collected, yet the role Telegram told us is there.
    const deps = { env, db: createDb(env.DB), log: createLogger({}, () => undefined) };
    const stored = await getBotChatsStats(deps, bot.id, { liveCallBudget: 0, refresh: true });
    const byId = new Map(stored.results.map((r) => [r.chat_id, r]));
    expect(byId.get(JOINED)).toMatchObject({ source: "none", collected_at: null, bot_role: "member" });
    expect(byId.get(UNKNOWN)).toMatchObject({ source: "none", bot_role: null });
    expect(fake.calls).toHaveLength(0);
  });

  it("known from my_chat_member: 3 calls, no getChatMember, and the answer reports that role", async () => {
    const { status, body } = await stats(JOINED);
    expect(status).toBe(200);
    expect(body).toMatchObject({ bot_role: "member", error: null, member_count: 40, admin_count: 1 });
    expect(callsFor(JOINED).sort()).toEqual(["getChat", "getChatAdministrators", "getChatMemberCount"]);
  });

  it("unknown: 4 calls the first time, then known (chats.bot_role) and 3 calls", async () => {
    const first = await stats(UNKNOWN);
    expect(first.body).toMatchObject({ bot_role: "restricted", error: null });
    expect(callsFor(UNKNOWN)).toHaveLength(4);
    expect(fake.callsOf("getChatMember").map((c) => c.params)).toEqual([{ chat_id: UNKNOWN, user_id: BOT_TG_ID }]);
    expect(await roleOf(UNKNOWN)).toBe("restricted");

    fake.calls.length = 0;
    const again = await stats(UNKNOWN);
    expect(again.body).toMatchObject({ bot_role: "restricted", error: null });
    expect(callsFor(UNKNOWN)).toHaveLength(3);
    expect(fake.callsOf("getChatMember")).toHaveLength(0);
  });

  it("an administrator in the list wins over a stale stored role, and the stored role follows", async () => {
    expect(await roleOf(PROMOTED)).toBe("member");
    const { body } = await stats(PROMOTED);
    expect(body).toMatchObject({ bot_role: "administrator", admin_count: 2 });
    expect(callsFor(PROMOTED)).toHaveLength(3);
    expect(await roleOf(PROMOTED)).toBe("administrator");
  });

  it("a stored administrator role the list contradicts is not trusted: getChatMember settles it", async () => {
    expect(await roleOf(DEMOTED)).toBe("administrator");
    const { body } = await stats(DEMOTED);
    expect(body).toMatchObject({ bot_role: "member", admin_count: 1 });
    expect(callsFor(DEMOTED)).toContain("getChatMember");
    expect(await roleOf(DEMOTED)).toBe("member");
  });

  it("all chats: every later collection costs 3 calls per chat", async () => {
    await env.DB.prepare("UPDATE chats SET bot_role = NULL WHERE bot_id = ? AND chat_id = ?").bind(bot.id, UNKNOWN).run();
    const url = `/telegram/bot/${bot.id}/chats/stats/?refresh=1`;
    const first = await apiJson<{ coverage: { live: number; calls_made: number } }>(url);
    expect(first.body.coverage).toMatchObject({ live: 4, calls_made: 3 * 4 + 1 }); // UNKNOWN's role again unknown
    fake.calls.length = 0;
    const second = await apiJson<{ coverage: { live: number; calls_made: number }; results: { chat_id: number; bot_role: string }[] }>(url);
    expect(second.body.coverage).toMatchObject({ live: 4, calls_made: 3 * 4 });
    expect(fake.callsOf("getChatMember")).toHaveLength(0);
    expect(Object.fromEntries(second.body.results.map((r) => [r.chat_id, r.bot_role]))).toEqual({
      [JOINED]: "member",
      [UNKNOWN]: "restricted",
      [PROMOTED]: "administrator",
      [DEMOTED]: "member",
    });
  });

  it("a collection never overwrites a role Telegram changed while it ran", async () => {
    const db = createDb(env.DB);
    const result = (chatId: number, role: ChatStats["bot_role"]): ChatStats => ({
      chat_id: chatId,
      title: `Chat ${chatId}`,
      username: null,
      type: "supergroup",
      first_seen: null,
      member_count: 40,
      admin_count: 1,
      bot_role: role,
      administrators: [],
      collected_at: 1_764_000_100,
      error: null,
    });
    // Read as member; my_chat_member (promotion) arrives; the collection saw member, or restricted.
    expect((await deliver(bot.id, bot.secret, myChatMember(JOINED, "member", "administrator"))).status).toBe(200);
    await saveResults(db, bot.id, [result(JOINED, "member")], undefined, new Map([[JOINED, "member"]]));
    expect(await roleOf(JOINED)).toBe("administrator");
    await saveResults(db, bot.id, [result(JOINED, "restricted")], undefined, new Map([[JOINED, "member"]]));
    expect(await roleOf(JOINED)).toBe("administrator");
    // Unchanged since it was read: the collection's finding is stored.
    await saveResults(db, bot.id, [result(JOINED, "member")], undefined, new Map([[JOINED, "administrator"]]));
    expect(await roleOf(JOINED)).toBe("member");
  });
});
