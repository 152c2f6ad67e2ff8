// The coordinator's building blocks: liveness, the pacing ledger, the AI's decision to
// answer, and conversation memory bounds; and that a task's state lives in the object's storage.

import { env } from "cloudflare:workers";
import type { Message } from "@grammyjs/types";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { aiJobFor } from "../../src/ai/job";
import { boundMemory } from "../../src/ai/memory";
import { earliestSend, emptyPacer, pause, recordSend } from "../../src/tasks/pacer";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { runAlarm, stubFor, useFakeClock, withInstance } from "./coordinator-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8501, "coord_bot");
beforeAll(() => fake.listen());
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("pacer", () => {
  it("holds a chat to one message per second", () => {
    const p = emptyPacer();
    recordSend(p, 5, 1000);
    expect(earliestSend(p, 5, 1500)).toBe(2000);
    expect(earliestSend(p, 5, 2000)).toBe(0);
    expect(earliestSend(p, 6, 1500)).toBe(0);
  });

  it("holds a group to 20 messages per minute, not a private chat", () => {
    const p = emptyPacer();
    for (let i = 0; i < 20; i++) {
      recordSend(p, -7, i * 1000);
      recordSend(p, 7, i * 1000);
    }
    expect(earliestSend(p, -7, 20_000)).toBe(60_000);
    expect(earliestSend(p, 7, 20_000)).toBe(0);
  });

  it("holds the bot to 30 messages per second and pauses it after a 429", () => {
    const p = emptyPacer();
    for (let i = 0; i < 30; i++) recordSend(p, 100 + i, 5000);
    expect(earliestSend(p, 1, 5000)).toBe(6000);
    pause(p, 6000, 10);
    expect(earliestSend(p, 1, 6000)).toBe(16_000);
  });
});

describe("who the AI answers", () => {
  const bot = { id: 1, tgId: 8501, username: "coord_bot", aiEnabled: true };
  const msg = (extra: Partial<Message> & Record<string, unknown>) =>
    ({
      message_id: 1,
      date: 1,
      chat: { id: 42, type: "private", first_name: "A" },
      from: { id: 42, is_bot: false, first_name: "A" },
      text: "hi",
      ...extra,
    }) as Message;
  const group = { id: -5, type: "supergroup" as const, title: "G" };

  it("answers private text, not commands, bots, channels, or when AI is off", () => {
    expect(aiJobFor(bot, msg({}), 1)?.text).toBe("hi");
    expect(aiJobFor(bot, msg({ text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] }), 1)).toBeNull();
    expect(aiJobFor(bot, msg({ from: { id: 9, is_bot: true, first_name: "B" } }), 1)).toBeNull();
    expect(aiJobFor(bot, msg({ chat: { id: -9, type: "channel", title: "C" } }), 1)).toBeNull();
    expect(aiJobFor({ ...bot, aiEnabled: false }, msg({}), 1)).toBeNull();
  });

  it("in groups needs a mention (@username or text_mention) or a reply to the bot", () => {
    expect(aiJobFor(bot, msg({ chat: group }), 1)).toBeNull();
    expect(
      aiJobFor(bot, msg({ chat: group, text: "@other_bot hi", entities: [{ type: "mention", offset: 0, length: 10 }] }), 1),
    ).toBeNull();
    const m = aiJobFor(bot, msg({ chat: group, text: "hey @Coord_Bot help", entities: [{ type: "mention", offset: 4, length: 10 }] }), 1);
    expect(m?.text).toBe("hey  help");
    const tm = msg({
      chat: group,
      text: "Bot help",
      entities: [{ type: "text_mention", offset: 0, length: 3, user: { id: 8501, is_bot: true, first_name: "Bot" } }],
    });
    expect(aiJobFor(bot, tm, 1)).not.toBeNull();
    const reply = msg({ chat: group, reply_to_message: msg({ from: { id: 8501, is_bot: true, first_name: "Bot" } }) as never });
    expect(aiJobFor(bot, reply, 1)).not.toBeNull();
  });
});

describe("conversation memory", () => {
  const turns = (n: number, size = 10) =>
    Array.from({ length: n }, (_, i) => ({ role: i % 2 ? ("assistant" as const) : ("user" as const), content: `${i}`.padEnd(size, ".") }));

  it("keeps the last N messages, within a total size, never opening with the assistant", () => {
    expect(boundMemory(turns(10), 4).map((t) => t.content[0])).toEqual(["6", "7", "8", "9"]);
    expect(boundMemory(turns(10), 5)[0]?.role).toBe("user");
    expect(boundMemory(turns(10, 100), 20, 250)).toHaveLength(2);
    expect(boundMemory(turns(4), 0)).toEqual([]);
  });
});

describe("coordinator state", () => {
  it("answers ping and keeps a task's offset in its own storage", async () => {
    const botId = (await createBot("Coord bot", tg.token)).id;
    const stub = stubFor(botId);
    expect(await stub.ping()).toMatchObject({ ok: true });
    const clock = await useFakeClock(stub);
    fake.on("getUpdates", () => ({
      result: [
        {
          update_id: 77,
          message: {
            message_id: 1,
            date: 1,
            chat: { id: 1, type: "private", first_name: "A" },
            from: { id: 1, is_bot: false, first_name: "A" },
            text: "x",
          },
        },
      ],
    }));
    const task = await apiJson<{ id: number }>("/api/tasks", { body: { bot_id: botId, kind: "polling", start: true } });
    await runAlarm(stub, clock);
    await stub.stopTask(task.body.id);
    const stored = await withInstance(stub, (_i, state) =>
      state.storage.get<{ data: { offset: number }; status: string }>(`task:${task.body.id}`),
    );
    expect(stored).toMatchObject({ status: "stopped", data: { offset: 78 } });
    // A later start resumes from the stored offset.
    await stub.startTask(task.body.id);
    await runAlarm(stub, clock);
    expect(fake.callsOf("getUpdates").map((c) => c.params.offset)).toEqual([undefined, 78]);
    await stub.stopTask(task.body.id);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE bot_id = ?").bind(botId).first("n")).toBe(1);
  });
});
