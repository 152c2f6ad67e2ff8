// The bot's inbox in its coordinator: batches that form under load, arrival order per chat,
// a restart of the object in the middle of a drain, a poison update dead-lettered while the
// others go on (with replay and discard by an operator), and what the status endpoint shows.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/tasks/clock";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { stubFor, useFakeClock, withInstance } from "./coordinator-support";
import { count, deliver, settle, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8401, "inbox_bot");
});
afterEach(async () => {
  fake.reset();
  await withInstance(stubFor(bot.id), (inst) => {
    inst.faults = undefined;
    inst.clock = systemClock;
  });
});
afterAll(() => fake.close());

const repliesTo = (chatId: number) =>
  fake
    .callsOf("sendMessage")
    .filter((c) => c.params.chat_id === chatId)
    .map((c) => String(c.params.text));

describe("batches and order", () => {
  it("updates accepted together are stored in fewer commits than updates, each chat's in arrival order", async () => {
    const before = (await stubFor(bot.id).inboxStatus()).drain;
    const chats = [61001, 61002, 61003];
    const updates = chats.flatMap((chatId) =>
      Array.from({ length: 20 }, (_, i) => textUpdate(i % 5 === 0 ? "/start" : `m${i}`, { chatId, userId: chatId })),
    );
    // The first commit is slow (as D1 is under load): meanwhile the rest piles up in the inbox.
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => {
      release = r;
    });
    let first = true;
    await withInstance(stubFor(bot.id), (inst) => {
      inst.faults = {
        async beforeStore() {
          if (first) {
            first = false;
            await slow;
          }
        },
      };
    });
    // As Telegram delivers: chats side by side, one update at a time within a chat, each
    // answered at once, so they pile up in the inbox faster than they are handled.
    const statuses = await Promise.all(
      chats.map(async (chatId) => {
        const out: number[] = [];
        for (const u of updates.filter((x) => x.message.chat.id === chatId)) {
          out.push((await deliver(bot.id, bot.secret, u, {}, { handled: false })).status);
        }
        return out;
      }),
    );
    expect(statuses.flat()).toEqual(updates.map(() => 200));
    release();
    const state = await settle(bot.id);
    expect(state.depth).toBe(0);
    const after = (await stubFor(bot.id).inboxStatus()).drain;
    expect(after.stored - before.stored).toBe(60);
    // The first update alone, then the 59 that waited, in one commit.
    expect(after.commits - before.commits).toBe(2);
    for (const chatId of chats) {
      const stored = await env.DB.prepare(
        "SELECT update_id FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'in' ORDER BY id",
      )
        .bind(bot.id, chatId)
        .all<{ update_id: number }>();
      const ids = updates.filter((u) => u.message.chat.id === chatId).map((u) => u.update_id);
      expect(stored.results.map((r) => r.update_id)).toEqual(ids);
      expect(repliesTo(chatId)).toHaveLength(4);
    }
  });

  it("a lone update is handled at once, without waiting for an alarm", async () => {
    const chatId = 61100;
    const t0 = Date.now();
    expect((await deliver(bot.id, bot.secret, textUpdate("/start", { chatId, userId: chatId }), {}, { handled: false })).status).toBe(200);
    for (let i = 0; i < 100 && repliesTo(chatId).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(repliesTo(chatId)).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe("D1's queries per invocation", () => {
  it("a drain over its query budget hands the rest over to the alarm, a new invocation", async () => {
    const other = await setupBot(fake, 8402, "budget_bot");
    const stub = stubFor(other.id);
    await withInstance(stub, (inst) => {
      inst.drainBudget = 25;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await withInstance(stub, (inst) => {
      inst.faults = { beforeStore: () => gate };
    });
    const chatId = 64001;
    // Bodies of ~120 KB: a commit takes at most 512 KB of them, so 30 need 8 commits of ~10 queries.
    for (let i = 0; i < 30; i++) {
      const u = textUpdate(`b${i}`, { chatId, userId: chatId });
      const res = await deliver(
        other.id,
        other.secret,
        { ...u, message: { ...u.message, caption: "x".repeat(120_000) } },
        {},
        { handled: false },
      );
      expect(res.status).toBe(200);
    }
    await withInstance(stub, (inst) => {
      inst.faults = undefined;
    });
    release();
    // The run the first accept started spends its allowance, arms the alarm for now and stops;
    // the alarm (a new invocation) goes on. settle() waits for the end.
    let state = await settle(other.id);
    for (let i = 0; i < 20 && state.depth > 0; i++) state = await settle(other.id);
    expect(state.depth).toBe(0);
    const drain = (await stub.inboxStatus()).drain;
    expect(drain.commits).toBeGreaterThanOrEqual(8);
    expect(drain.handovers).toBeGreaterThanOrEqual(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ?", other.id, chatId)).toBe(30);
  });
});

describe("a restart of the coordinator mid-drain", () => {
  it("loses nothing and repeats nothing", async () => {
    const chatId = 62001;
    const updates = Array.from({ length: 6 }, () => textUpdate("/start", { chatId, userId: chatId }));
    let aborted = false;
    const stub = stubFor(bot.id);
    await withInstance(stub, (inst, state) => {
      inst.faults = {
        // The third update's handling starts after the first two replies went out, before they are stored or marked done.
        beforeHandle(updateId) {
          if (updateId === updates[2]?.update_id && !aborted) {
            aborted = true;
            state.abort("restart in a test");
          }
        },
      };
    });
    // As Telegram does: an update not accepted (the abort cut its accept short: a 503) is delivered again.
    for (const u of updates) {
      for (let i = 0; i < 10 && (await deliver(bot.id, bot.secret, u, {}, { handled: false })).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // The aborted object comes back on the next call, with its storage and without the fault.
    let state = await settle(bot.id).catch(() => undefined);
    for (let i = 0; i < 20 && (state === undefined || state.depth > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await settle(bot.id).catch(() => undefined);
    }
    expect(aborted).toBe(true);
    expect(state?.depth).toBe(0);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'in'", bot.id, chatId)).toBe(6);
    // No reply was sent twice (never a 7th call). A reply whose "sent" record the abort threw
    // away, or whose send the abort cut short, is journaled "unknown" rather than sent again.
    expect(repliesTo(chatId).length).toBeLessThanOrEqual(6);
    const journals = (await Promise.all(updates.map((u) => stubFor(bot.id).journalOf(u.update_id)))) as { state: string }[][];
    const states = journals.map((j) => j.map((e) => e.state));
    for (const st of states) expect(["sent", "unknown"]).toContain(st[0]);
    expect(states.every((st) => st.length === 1)).toBe(true);
    const sent = states.filter((st) => st[0] === "sent").length;
    expect(sent).toBeGreaterThanOrEqual(4);
    expect(repliesTo(chatId).length).toBeGreaterThanOrEqual(sent);
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'out'", bot.id, chatId)).toBe(
      sent,
    );
  });
});

describe("a poison update", () => {
  it("is dead-lettered after its attempts while the rest of the bot's updates go on; an operator can replay it", async () => {
    const stub = stubFor(bot.id);
    const clock = await useFakeClock(stub);
    const poison = textUpdate("/start", { chatId: 63001, userId: 63001 });
    const others = [63002, 63003, 63004].map((chatId) => textUpdate("/start", { chatId, userId: chatId }));
    await withInstance(stub, (inst) => {
      inst.faults = {
        beforeStore(ids) {
          if (ids.includes(poison.update_id)) throw new Error("poison: this update always fails");
        },
      };
    });
    await Promise.all([poison, ...others].map((u) => deliver(bot.id, bot.secret, u, {}, { handled: false })));
    let state = await settle(bot.id);
    for (let i = 0; i < 10 && state.dead_letters === 0; i++) {
      clock.advance(60_000);
      state = await settle(bot.id);
    }
    expect(state.dead_letters).toBe(1);
    expect(state.depth).toBe(0);
    for (const u of others) expect(repliesTo(u.message.chat.id)).toHaveLength(1);
    expect(repliesTo(63001)).toHaveLength(0);

    const status = await apiJson<{ inbox: { dead_letters: number; last_error: { error: string } }; counters: Record<string, number> }>(
      `/telegram/bot/${bot.id}/status/`,
    );
    expect(status.body.inbox.dead_letters).toBe(1);
    expect(status.body.counters.dead_lettered).toBeGreaterThanOrEqual(1);
    const list = await apiJson<{ dead_letters: { update_id: number; attempts: number; error: string }[] }>(
      `/telegram/bot/${bot.id}/dead-letters/`,
    );
    expect(list.body.dead_letters).toEqual([
      expect.objectContaining({ update_id: poison.update_id, attempts: 5, error: expect.stringMatching(/poison/) }),
    ]);

    // Fixed: the operator replays it, and it is handled once.
    await withInstance(stub, (inst) => {
      inst.faults = undefined;
    });
    const replay = await apiJson(`/telegram/bot/${bot.id}/dead-letters/${poison.update_id}/replay/`, { body: {} });
    expect(replay.status).toBe(200);
    await settle(bot.id);
    expect(repliesTo(63001)).toHaveLength(1);
    expect((await stubFor(bot.id).inboxStatus()).dead_letters).toBe(0);
    expect((await apiJson(`/telegram/bot/${bot.id}/dead-letters/${poison.update_id}/replay/`, { body: {} })).status).toBe(404);
    // A redelivery of the replayed update is a duplicate.
    expect(await (await deliver(bot.id, bot.secret, poison)).json()).toEqual({ ok: true, status: "duplicate" });
    expect(repliesTo(63001)).toHaveLength(1);
  });

  it("a discarded dead letter stays known, so a redelivery is a duplicate", async () => {
    const stub = stubFor(bot.id);
    const clock = await useFakeClock(stub);
    const poison = textUpdate("/start", { chatId: 63101, userId: 63101 });
    await withInstance(stub, (inst) => {
      inst.faults = {
        beforeHandle(id) {
          if (id === poison.update_id) throw new Error("handler keeps failing");
        },
      };
    });
    await deliver(bot.id, bot.secret, poison, {}, { handled: false });
    let state = await settle(bot.id);
    for (let i = 0; i < 10 && state.dead_letters === 0; i++) {
      clock.advance(60_000);
      state = await settle(bot.id);
    }
    expect(state.dead_letters).toBe(1);
    // Stored in D1 already (it failed in handling): its message row is there, once.
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, poison.update_id)).toBe(1);
    expect((await apiJson(`/telegram/bot/${bot.id}/dead-letters/${poison.update_id}/discard/`, { body: {} })).status).toBe(200);
    expect((await stubFor(bot.id).inboxStatus()).dead_letters).toBe(0);
    expect(await (await deliver(bot.id, bot.secret, poison)).json()).toEqual({ ok: true, status: "duplicate" });
    expect(repliesTo(63101)).toHaveLength(0);
  });
});
