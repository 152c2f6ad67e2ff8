// The send governor: a burst of 200 replies to one group against a fake Bot API that
// enforces Telegram's limits (429 past them), on a clock the test moves; a private chat's
// reply and the inbox drain are not held behind the group; a 429 pauses the right bucket
// and the send goes after it; migrate_to_chat_id is followed and journaled; a staff send
// that would wait past the bound is refused (429, retry_after) with nothing sent; and
// allow_paid_broadcast is an admin's bot setting that raises the bot bucket.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BotCoordinator } from "../../src/coordinator/bot-coordinator";
import { STAFF_WAIT_BOUND_MS } from "../../src/coordinator/governor";
import { FakeClock } from "../../src/lib/clock";
import { apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { FloodLimits, maxInWindow } from "../helpers/flood-limits";
import { type Stub, stubFor, withInstance } from "./coordinator-support";
import { count, deliver, setupBot, type TestBot, textUpdate } from "./webhook-support";

/** A clock only the test moves; a sleeper polls it on real timers (in the object's own context). */
class SteppedClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    const at = this.t + Math.max(0, ms);
    while (this.t < at) await new Promise((r) => setTimeout(r, 2));
  }
}

const fake = new FakeTelegram();
let bot: TestBot;
let stub: Stub;
let limits: FloodLimits;

async function useClock(c: { now(): number; sleep(ms: number): Promise<void> }) {
  await withInstance(stub, (inst: BotCoordinator) => {
    inst.clock = c;
  });
}

function enforceLimits(now: () => number) {
  limits = new FloodLimits(now);
  fake.on("sendMessage", (call) => limits.check(call.params.chat_id, call.params.text));
}

/** Moves the clock 10 ms at a time (real pauses between) until `done`, at most `steps` times. */
async function stepUntil(clock: SteppedClock, done: () => boolean, steps: number): Promise<void> {
  for (let i = 0; i < steps && !done(); i++) {
    clock.t += 10;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Moves the clock a second at a time (real pauses between, for the object's lanes) until the outbox is empty. */
async function runClockUntilIdle(clock: SteppedClock, maxSeconds: number): Promise<void> {
  for (let step = 0; step < maxSeconds; step++) {
    const s = await stub.sendingStatus();
    if (s.queued === 0 && s.unstored === 0 && s.waiting_chats === 0) return;
    clock.t += 1000;
    await new Promise((r) => setTimeout(r, 15));
  }
}

const groupUpdate = (chatId: number, text: string, type = "supergroup") => textUpdate(text, { chatId, chatType: type, userId: 777_001 });

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8401, "governed_bot");
  stub = stubFor(bot.id);
  await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { info_text: "Info" } });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("a burst of 200 replies to one group", () => {
  it("waits instead of dropping: at most 20 a minute, none lost, no 429, and a private chat is not held behind it", async () => {
    const clock = new SteppedClock(Date.now() + 86_400_000);
    await useClock(clock);
    enforceLimits(() => clock.now());
    const group = -1_004_000_000_001;
    const t0 = clock.now();
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      const u = groupUpdate(group, "/info");
      ids.push(u.update_id);
      expect((await deliver(bot.id, bot.secret, u, {}, { handled: false })).status).toBe(200);
    }
    // The drain only (the outbox waits on the test's clock).
    const inbox = await stub.drained(bot.id, { outbox: false });
    // The drain is done with all 200: a reply or few left at once, the rest wait in the outbox.
    expect(inbox.depth).toBe(0);
    // At most a chat's burst of 3 at once (the bot's 30/s is spread evenly, ~34 ms apart).
    expect(limits.accepted.length).toBeGreaterThanOrEqual(1);
    expect(limits.accepted.length).toBeLessThanOrEqual(3);
    const queued = await stub.sendingStatus();
    expect(queued.queued).toBeGreaterThan(150);

    // A private chat's reply goes within a fraction of a second of clock time (the bot's
    // 30/s, spread evenly), while the group waits its minute.
    const asked = clock.now();
    await deliver(bot.id, bot.secret, textUpdate("/info", { userId: 777_002 }), {}, { handled: false });
    await stub.drained(bot.id, { outbox: false });
    await stepUntil(clock, () => limits.timesOf(777_002).length > 0, 100);
    expect(limits.timesOf(777_002)).toHaveLength(1);
    expect((limits.timesOf(777_002)[0] as number) - asked).toBeLessThanOrEqual(500);
    expect(limits.timesOf(group).length).toBeLessThanOrEqual(20);

    // Time moves a second at a time until the outbox is empty (about 10 minutes of it).
    await runClockUntilIdle(clock, 15 * 60);
    const status = await stub.outboxIdle(bot.id);
    expect(status.queued).toBe(0);

    const times = limits.timesOf(group);
    expect(limits.refused).toBe(0);
    expect(times).toHaveLength(200);
    // Sends per minute, as the fake saw them: 20 in each of ten minutes.
    const perMinute = new Map<number, number>();
    for (const t of times) perMinute.set(Math.floor((t - t0) / 60_000), (perMinute.get(Math.floor((t - t0) / 60_000)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(20);
    expect(maxInWindow(times, 60_000)).toBe(20);
    expect(perMinute.size).toBeGreaterThanOrEqual(10);
    // None lost: every update's reply is journaled sent, and stored as outgoing once.
    for (const id of [ids[0], ids[99], ids[199]]) {
      const journal = (await stub.updateState(id as number))?.journal;
      expect(journal).toEqual([{ key: "reply:0", state: "sent" }]);
    }
    expect(await count("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'out'", bot.id, group)).toBe(
      200,
    );
  }, 240_000);
});

describe("429 and migrate_to_chat_id", () => {
  it("a 429 on a busy group pauses that group only; its reply goes after retry_after, others meanwhile", async () => {
    const clock = new SteppedClock(Date.now() + 2 * 86_400_000);
    await useClock(clock);
    enforceLimits(() => clock.now());
    const group = -1_004_000_000_002;
    await deliver(bot.id, bot.secret, groupUpdate(group, "/info"));
    clock.t += 5000;
    fake.queue("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 40", parameters: { retry_after: 40 } });
    const t429 = clock.now();
    const u = groupUpdate(group, "/info");
    await deliver(bot.id, bot.secret, u, {}, { handled: false });
    await stub.drained(bot.id, { outbox: false });
    const s = await stub.sendingStatus();
    expect(s.chats_paused).toBe(1);
    expect(s.paused_until).toBeNull();
    // Another chat is not paused: its reply goes within a fraction of a second of clock time.
    const asked = clock.now();
    await deliver(bot.id, bot.secret, textUpdate("/info", { userId: 777_003 }), {}, { handled: false });
    await stub.drained(bot.id, { outbox: false });
    await stepUntil(clock, () => limits.timesOf(777_003).length > 0, 100);
    expect((limits.timesOf(777_003)[0] as number) - asked).toBeLessThanOrEqual(500);
    expect(limits.timesOf(group)).toHaveLength(1);
    await runClockUntilIdle(clock, 60);
    const times = limits.timesOf(group);
    expect(times).toHaveLength(2);
    expect((times[1] as number) - t429).toBeGreaterThanOrEqual(40_000);
    expect((await stub.updateState(u.update_id))?.journal).toEqual([{ key: "reply:0", state: "sent" }]);
  }, 60_000);

  it("a reply refused with migrate_to_chat_id is sent to the supergroup, both journaled", async () => {
    await useClock(new FakeClock(Date.now() + 3 * 86_400_000));
    const oldId = -4_000_123;
    const newId = -1_004_000_000_123;
    fake.queue("sendMessage", {
      error_code: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      parameters: { migrate_to_chat_id: newId },
    });
    const u = groupUpdate(oldId, "/info", "group");
    await deliver(bot.id, bot.secret, u);
    await stub.outboxIdle(bot.id);
    expect(fake.callsOf("sendMessage").map((c) => c.params.chat_id)).toEqual([oldId, newId]);
    const journal = (await stub.updateState(u.update_id))?.journal;
    expect(journal).toEqual([
      { key: "reply:0", state: "refused", detail: expect.objectContaining({ migrate_to_chat_id: newId }) },
      { key: `reply:0>to:${newId}`, state: "sent" },
    ]);
  });
});

describe("staff sends", () => {
  it("wait for their slot within the bound; past it they are refused with 429 and retry_after, nothing sent", async () => {
    const clock = new FakeClock(Date.now() + 4 * 86_400_000);
    await useClock(clock);
    enforceLimits(() => clock.now());
    const group = -1_004_000_000_003;
    for (let i = 0; i < 20; i++) {
      const r = await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: group, text: `staff ${i}` } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect(limits.timesOf(group)).toHaveLength(20);
    const before = fake.callsOf("sendMessage").length;
    const refused = await apiJson<{ error: { code: string; message: string; details: { retry_after: number } } }>(
      `/telegram/bot/${bot.id}/send/`,
      { body: { chat_id: group, text: "one too many" } },
    );
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.body.error.message).toMatch(/flood limits/);
    expect(refused.body.error.details.retry_after * 1000).toBeGreaterThan(STAFF_WAIT_BOUND_MS);
    expect(fake.callsOf("sendMessage").length).toBe(before);
    expect(limits.refused).toBe(0);
  });
});

describe("allow_paid_broadcast", () => {
  it("is an admin's bot setting, validated, and raises the bot bucket", async () => {
    expect((await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { allow_paid_broadcast: "yes" } })).status).toBe(400);
    const ok = await apiJson<{ allow_paid_broadcast: boolean }>(`/api/bots/${bot.id}`, {
      method: "PATCH",
      body: { allow_paid_broadcast: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.allow_paid_broadcast).toBe(true);
    await useClock(new FakeClock(Date.now() + 5 * 86_400_000));
    // The drain caches the bot row for 10 s: a staff send reads it afresh.
    expect((await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 777_004, text: "hi" } })).status).toBe(200);
    expect((await stub.sendingStatus()).bot_max_per_second).toBe(1000);
    await apiJson(`/api/bots/${bot.id}`, { method: "PATCH", body: { allow_paid_broadcast: false } });
    expect((await apiJson(`/telegram/bot/${bot.id}/send/`, { body: { chat_id: 777_004, text: "hi again" } })).status).toBe(200);
    expect((await stub.sendingStatus()).bot_max_per_second).toBe(30);
  });
});
