/// <reference types="vite/client" />
// Webhook delivery: checks in order (404, 401, 413, 400), every fixture stored, and
// exactly-once under redelivery, parallel delivery and a failure of ours.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/tasks/clock";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { stubFor, useFakeClock, withInstance } from "./coordinator-support";
import { count, deliver, settle, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fixtures = import.meta.glob("../fixtures/telegram-updates/*.json", { eager: true, import: "default" }) as Record<
  string,
  { update_id: number } & Record<string, unknown>
>;

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8101, "hook_bot");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const messagesOfBot = () => count("SELECT count(*) AS n FROM messages WHERE bot_id = ?", bot.id);
const ledgerOfBot = () => count("SELECT count(*) AS n FROM processed_updates WHERE bot_id = ?", bot.id);

describe("webhook checks", () => {
  it("answers 404 for an unknown bot and for an inactive one", async () => {
    expect((await deliver(999_999, bot.secret, textUpdate("hi"))).status).toBe(404);
    const { token } = fake.addBot(8102, "sleepy_bot");
    const created = await apiJson<{ id: number }>("/api/bots", { body: { name: "sleepy", token } });
    await apiJson(`/telegram/webhook/${created.body.id}/set/`, { body: {} });
    const secret = fake.webhooks.get(token)?.secret_token ?? "";
    // A delivery first, so the bot row sits in the webhook's cache when it is deactivated.
    expect((await deliver(created.body.id, secret, textUpdate("hi", { updateId: 1 }))).status).toBe(200);
    await apiJson(`/api/bots/${created.body.id}`, { method: "PATCH", body: { is_active: false } });
    expect((await deliver(created.body.id, secret, textUpdate("hi", { updateId: 2 }))).status).toBe(404);
  });

  it("answers 401 and stores nothing for a missing, wrong or unset secret", async () => {
    const before = [await messagesOfBot(), await ledgerOfBot()];
    expect((await deliver(bot.id, null, textUpdate("hi"))).status).toBe(401);
    expect((await deliver(bot.id, "wrong-secret", textUpdate("hi"))).status).toBe(401);
    expect((await deliver(bot.id, `${bot.secret}x`, textUpdate("hi"))).status).toBe(401);
    // A bot whose webhook was never set through us has no secret: refused too.
    const { token } = fake.addBot(8103, "unset_bot");
    const created = await apiJson<{ id: number }>("/api/bots", { body: { name: "unset", token } });
    expect((await deliver(created.body.id, "anything", textUpdate("hi"))).status).toBe(401);
    expect([await messagesOfBot(), await ledgerOfBot()]).toEqual(before);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
  });

  it("answers 4xx with a reason and stores nothing for bad bodies", async () => {
    const before = [await messagesOfBot(), await ledgerOfBot()];
    const bad: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      ["[1,2]", /JSON object/],
      ["null", /JSON object/],
      ['"text"', /JSON object/],
      [{ message: {} }, /update_id/],
      [{ update_id: "12" }, /update_id/],
      [{ update_id: 1.5 }, /update_id/],
      [{ update_id: -3 }, /update_id/],
    ];
    for (const [body, reason] of bad) {
      const res = await deliver(bot.id, bot.secret, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { error: { message: string } };
      expect(json.error.message).toMatch(reason);
    }
    const big = JSON.stringify({ update_id: 77, message: { text: "x".repeat(1024 * 1024 + 10) } });
    expect((await deliver(bot.id, bot.secret, big)).status).toBe(413);
    expect([await messagesOfBot(), await ledgerOfBot()]).toEqual(before);
  });
});

describe("fixtures", () => {
  it("accepts every fixture with 200 and stores it", async () => {
    const names = Object.keys(fixtures).sort();
    expect(names.length).toBeGreaterThanOrEqual(15);
    let i = 0;
    for (const name of names) {
      // Several fixtures share update_ids (1, 2); give each its own so each is new.
      const update = { ...fixtures[name], update_id: 700_000 + i++ };
      const res = await deliver(bot.id, bot.secret, update);
      expect(res.status, name).toBe(200);
    }
    const row = (sql: string, ...p: unknown[]) =>
      env.DB.prepare(sql)
        .bind(bot.id, ...p)
        .first<Record<string, unknown>>();

    // Private text, with language_code kept on the user.
    expect(await row("SELECT text, kind, direction FROM messages WHERE bot_id = ? AND chat_id = 218485655 AND message_id = 6557")).toEqual({
      text: "hello there",
      kind: "message",
      direction: "in",
    });
    expect(await row("SELECT language_code, username FROM tg_users WHERE bot_id = ? AND user_id = 218485655")).toEqual({
      language_code: "en",
      username: "WaffleLapkin",
    });
    // Photo: the largest size's file_id, caption as text.
    const photo = await row("SELECT media_type, file_id, text FROM messages WHERE bot_id = ? AND message_id = 3460");
    expect(photo?.media_type).toBe("photo");
    expect(String(photo?.file_id)).toContain("AgADeQADJAQ");
    expect(photo?.text).toBe("www.example.com");
    // Document.
    expect(
      await row(
        "SELECT media_type, file_id FROM messages WHERE bot_id = ? AND chat_id = 456 AND message_id = 123 AND media_type IS NOT NULL",
      ),
    ).toEqual({
      media_type: "document",
      file_id: "a1b2c34d5e6f7g8h9i",
    });
    // Forum topic: thread id kept; chat stored as a forum supergroup.
    expect((await row("SELECT thread_id FROM messages WHERE bot_id = ? AND chat_id = -1001234567489 AND message_id = 35"))?.thread_id).toBe(
      33,
    );
    expect(await row("SELECT type, is_forum, title FROM chats WHERE bot_id = ? AND chat_id = -1001234567489")).toEqual({
      type: "supergroup",
      is_forum: 1,
      title: "Testing",
    });
    // Channel post: sender_chat kept, no from user.
    const post = await row(
      "SELECT kind, sender_chat_id, from_user_id, media_type FROM messages WHERE bot_id = ? AND chat_id = -1002236736395",
    );
    expect(post).toEqual({ kind: "channel_post", sender_chat_id: -1002236736395, from_user_id: null, media_type: "giveaway" });
    // Edited message whose original we never saw: stored with its edit date.
    expect(await row("SELECT text, edit_date FROM messages WHERE bot_id = ? AND message_id = 23762")).toEqual({
      text: "Editing this message",
      edit_date: 1584985245,
    });
    // Callback queries stored with their data.
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND kind = 'callback_query'", bot.id)).toBe(3);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND callback_data = 'c=uud&pid=1&bid=1'", bot.id)).toBe(1);
    // my_chat_member in a private chat: kicked marks the user as blocked and records the role.
    expect((await row("SELECT blocked_bot FROM tg_users WHERE bot_id = ? AND user_id = 0"))?.blocked_bot).toBe(1);
    expect((await row("SELECT bot_role FROM chats WHERE bot_id = ? AND chat_id = 0"))?.bot_role).toBe("kicked");
    // The unknown kind is kept raw and visible through /api/messages.
    const unknown = await apiJson<{ results: { service_type: string; raw: Record<string, unknown> }[] }>(
      `/api/messages?bot_id=${bot.id}&kind=service`,
    );
    const raw = unknown.body.results.find((m) => m.service_type === "unknown:new_update_kind");
    expect(raw?.raw).toMatchObject({ new_update_kind: { some_field_idk: 1 } });
    // Group migrated to a supergroup: history moved to the new id.
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = -599075523", bot.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = -1001555296434", bot.id)).toBe(1);
    expect((await row("SELECT migrated_to_chat_id FROM chats WHERE bot_id = ? AND chat_id = -599075523"))?.migrated_to_chat_id).toBe(
      -1001555296434,
    );
    // Every delivery is marked done in the ledger.
    expect(
      await count("SELECT count(*) AS n FROM processed_updates WHERE bot_id = ? AND update_id >= 700000 AND status = 'done'", bot.id),
    ).toBe(names.length);
  });
});

describe("what is stored", () => {
  it("tracks title and username changes, anonymous admins and media kinds", async () => {
    const chat = { id: -100_4242, type: "supergroup", title: "Before", username: "before_chat" };
    const from = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };
    await deliver(bot.id, bot.secret, {
      update_id: 660001,
      message: { message_id: 1, date: 1_700_000_000, chat, from, sender_chat: chat, text: "anon" },
    });
    const renamed = { ...chat, title: "After", username: "after_chat" };
    await deliver(bot.id, bot.secret, {
      update_id: 660002,
      message: { message_id: 2, date: 1_700_000_010, chat: renamed, from, sender_chat: renamed, new_chat_title: "After" },
    });
    await deliver(bot.id, bot.secret, {
      update_id: 660003,
      message: {
        message_id: 3,
        date: 1_700_000_020,
        chat: renamed,
        from,
        sticker: {
          file_id: "sticker-file",
          file_unique_id: "s",
          type: "regular",
          width: 1,
          height: 1,
          is_animated: false,
          is_video: false,
        },
      },
    });
    await deliver(bot.id, bot.secret, {
      update_id: 660004,
      message: {
        message_id: 4,
        date: 1_700_000_030,
        chat: renamed,
        from,
        voice: { file_id: "voice-file", file_unique_id: "v", duration: 3 },
      },
    });
    const c = await env.DB.prepare("SELECT title, username FROM chats WHERE bot_id = ? AND chat_id = ?").bind(bot.id, chat.id).first();
    expect(c).toEqual({ title: "After", username: "after_chat" });
    const rows = await env.DB.prepare(
      "SELECT message_id, kind, service_type, sender_chat_id, media_type, file_id FROM messages WHERE bot_id = ? AND chat_id = ? ORDER BY message_id",
    )
      .bind(bot.id, chat.id)
      .all();
    expect(rows.results).toEqual([
      { message_id: 1, kind: "message", service_type: null, sender_chat_id: chat.id, media_type: null, file_id: null },
      { message_id: 2, kind: "service", service_type: "new_chat_title", sender_chat_id: chat.id, media_type: null, file_id: null },
      { message_id: 3, kind: "message", service_type: null, sender_chat_id: null, media_type: "sticker", file_id: "sticker-file" },
      { message_id: 4, kind: "message", service_type: null, sender_chat_id: null, media_type: "voice", file_id: "voice-file" },
    ]);
    // Service messages are kept but not counted as messages.
    expect(await count("SELECT messages AS n FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ?", bot.id, chat.id)).toBe(3);
  });

  it("dates a chat and a user by their updates: first seen is the earliest message, never later than now", async () => {
    const chat = { id: -100_5151, type: "supergroup", title: "Old friends" };
    const from = { id: 515151, is_bot: false, first_name: "Olga" };
    const seen = () =>
      env.DB.prepare(
        "SELECT c.first_seen_at AS chat_first, c.last_seen_at AS chat_last, u.first_seen_at AS user_first FROM chats c, tg_users u WHERE c.bot_id = ?1 AND c.chat_id = ?2 AND u.bot_id = ?1 AND u.user_id = ?3",
      )
        .bind(bot.id, chat.id, from.id)
        .first();
    const threeDaysAgo = Math.floor(Date.now() / 1000) - 3 * 86_400;
    await deliver(bot.id, bot.secret, { update_id: 661001, message: { message_id: 10, date: threeDaysAgo, chat, from, text: "hi" } });
    expect(await seen()).toEqual({ chat_first: threeDaysAgo, chat_last: threeDaysAgo, user_first: threeDaysAgo });
    // A message from the week before, delivered late, moves first seen back; last seen stays.
    const weekAgo = threeDaysAgo - 4 * 86_400;
    await deliver(bot.id, bot.secret, { update_id: 661002, message: { message_id: 9, date: weekAgo, chat, from, text: "earlier" } });
    expect(await seen()).toEqual({ chat_first: weekAgo, chat_last: threeDaysAgo, user_first: weekAgo });
    // A date in the future (a clock gone wrong) counts as now.
    const before = Math.floor(Date.now() / 1000);
    await deliver(bot.id, bot.secret, {
      update_id: 661003,
      message: { message_id: 11, date: before + 86_400 * 365, chat, from, text: "later" },
    });
    const after = (await seen()) as { chat_first: number; chat_last: number };
    expect(after.chat_first).toBe(weekAgo);
    expect(after.chat_last).toBeGreaterThanOrEqual(before);
    expect(after.chat_last).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe("exactly once", () => {
  it("stores and answers an update delivered twice in a row once", async () => {
    const update = textUpdate("/start");
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect((await settle(bot.id)).counters.duplicates).toBeGreaterThanOrEqual(1);
  });

  it("stores and answers an update delivered twice at the same moment once", async () => {
    const update = textUpdate("/start");
    const answers = await Promise.all([
      deliver(bot.id, bot.secret, update),
      deliver(bot.id, bot.secret, update),
      deliver(bot.id, bot.secret, update),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
  });

  it("counts a message once in the rollups, whatever is redelivered or edited", async () => {
    const chatId = -100777;
    const update = textUpdate("hello group", { chatId, userId: 5151 });
    await deliver(bot.id, bot.secret, update);
    await deliver(bot.id, bot.secret, update);
    const edit = {
      update_id: update.update_id + 100_000,
      edited_message: { ...update.message, text: "hello, group", edit_date: 1_700_000_100 },
    };
    await deliver(bot.id, bot.secret, edit);
    await deliver(bot.id, bot.secret, textUpdate("second", { chatId, userId: 5152 }));
    const day = await env.DB.prepare("SELECT messages, active_users FROM chat_daily_activity WHERE bot_id = ? AND chat_id = ?")
      .bind(bot.id, chatId)
      .first();
    expect(day).toEqual({ messages: 2, active_users: 2 });
    expect(await count("SELECT sum(messages) AS n FROM chat_hourly_activity WHERE bot_id = ? AND chat_id = ?", bot.id, chatId)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM chat_user_daily WHERE bot_id = ? AND chat_id = ?", bot.id, chatId)).toBe(2);
    // The edit updated the stored row.
    const stored = await env.DB.prepare("SELECT text, edit_date FROM messages WHERE bot_id = ? AND chat_id = ? AND message_id = ?")
      .bind(bot.id, chatId, update.message.message_id)
      .first();
    expect(stored).toEqual({ text: "hello, group", edit_date: 1_700_000_100 });
  });

  it("accepts an update while D1 refuses its batch, retries it itself, and stores and answers it once", async () => {
    const update = textUpdate("/start", { userId: 6161 });
    const stub = stubFor(bot.id);
    const clock = await useFakeClock(stub);
    // Break one table the group commit writes: the whole batch rolls back, while D1 still takes other writes.
    await env.DB.exec("ALTER TABLE chat_hourly_activity RENAME TO chat_hourly_activity_broken");
    try {
      const res = await deliver(bot.id, bot.secret, update);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, status: "accepted" });
      expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(0);
      const state = await settle(bot.id);
      expect(state.depth).toBe(1);
      expect(state.last_error?.error).toMatch(/chat_hourly_activity/);
    } finally {
      await env.DB.exec("ALTER TABLE chat_hourly_activity_broken RENAME TO chat_hourly_activity");
    }
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    // Telegram's redelivery is a duplicate; our own retry (after its backoff) completes the work.
    expect(await (await deliver(bot.id, bot.secret, update)).json()).toEqual({ ok: true, status: "duplicate" });
    clock.advance(60_000);
    const after = await settle(bot.id);
    expect(after.depth).toBe(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    expect(await count("SELECT messages AS n FROM chat_user_daily WHERE bot_id = ? AND user_id = 6161", bot.id)).toBe(1);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect(after.counters.failures).toBeGreaterThanOrEqual(1);
    await withInstance(stub, (inst) => {
      inst.clock = systemClock;
    });
  });

  it("a reply whose outcome is unknown (dropped connection) is journaled as unknown and never sent again", async () => {
    const update = textUpdate("/start", { userId: 7171 });
    fake.queue("sendMessage", { networkError: true });
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    const journal = await stubFor(bot.id).journalOf(update.update_id);
    expect(journal).toEqual([expect.objectContaining({ key: "reply:0", state: "unknown" })]);
    // A redelivery is a duplicate: nothing stored or sent again.
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect(await count("SELECT messages AS n FROM chat_user_daily WHERE bot_id = ? AND user_id = 7171", bot.id)).toBe(1);
  });

  it("a send an earlier attempt began but never finished (the object died mid-call) is not repeated", async () => {
    const update = textUpdate("/start", { userId: 9191 });
    await withInstance(stubFor(bot.id), (_inst, state) => {
      state.storage.sql.exec(
        "INSERT INTO journal (update_id, key, state, value, at) VALUES (?, 'reply:0', 'sending', NULL, ?)",
        update.update_id,
        Date.now(),
      );
    });
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    expect(await stubFor(bot.id).journalOf(update.update_id)).toEqual([expect.objectContaining({ key: "reply:0", state: "unknown" })]);
  });

  it("answers 503 when the update cannot be accepted durably, and the redelivery is handled once", async () => {
    const update = textUpdate("/start", { userId: 9292 });
    const stub = stubFor(bot.id);
    await withInstance(stub, (inst) => {
      inst.faults = {
        beforeAccept() {
          throw new Error("storage unavailable");
        },
      };
    });
    try {
      const res = await deliver(bot.id, bot.secret, update);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
    } finally {
      await withInstance(stub, (inst) => {
        inst.faults = undefined;
      });
    }
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
  });

  it("a reply Telegram refuses for good is recorded and not retried", async () => {
    const update = textUpdate("/start", { userId: 8181 });
    fake.queue("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, update)).status).toBe(200);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
  });
});
