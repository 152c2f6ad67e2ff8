// The stats endpoints: auth, 404s, the KV cache and ?refresh=1; the getMe fallback for the bot's id.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import adminsResponse from "../fixtures/telegram-updates/results/ng-response-getChatAdministrators.json";
import { api, apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";

const BOT_TG_ID = adminsResponse.result[0]!.user.id;
const fake = new FakeTelegram();
const tg = fake.addBot(BOT_TG_ID, "testbot");
const other = fake.addBot(8002, "other_bot");
const CHAT = -1002000000001;
const OTHER_BOTS_CHAT = -1002000000002;

let botId = 0;
let otherId = 0;
let members = 100;

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Api stats bot", tg.token)).id;
  otherId = (await createBot("Other bot", other.token)).id;
  await env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', 'Chat'), (?, ?, 'channel', 'Theirs')")
    .bind(botId, CHAT, otherId, OTHER_BOTS_CHAT)
    .run();
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.on("getChat", (c) => ({ result: { id: Number(c.params.chat_id), type: "supergroup", title: "Chat" } }));
  fake.on("getChatMemberCount", () => ({ result: members }));
  fake.on("getChatAdministrators", () => ({ result: adminsResponse.result }));
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("stats endpoints", () => {
  it("answer 401 without a valid bearer token, and call nobody", async () => {
    for (const path of [`/telegram/bot/${botId}/chat/${CHAT}/stats/`, `/telegram/bot/${botId}/chats/stats/`]) {
      expect((await api(path, { token: null })).status, path).toBe(401);
      expect((await api(path, { token: "wrong" })).status, path).toBe(401);
    }
    expect(fake.calls).toHaveLength(0);
  });

  it("answer 404 for an unknown bot, an unknown chat, or another bot's chat", async () => {
    const cases = [
      `/telegram/bot/999999/chat/${CHAT}/stats/`,
      "/telegram/bot/999999/chats/stats/",
      "/telegram/bot/abc/chats/stats/",
      `/telegram/bot/${botId}/chat/-100123/stats/`,
      `/telegram/bot/${botId}/chat/${OTHER_BOTS_CHAT}/stats/`,
      `/telegram/bot/${botId}/chat/not-a-chat/stats/`,
    ];
    for (const path of cases) {
      const res = await apiJson<{ error: { code: string } }>(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
    }
    expect(fake.calls).toHaveLength(0);
  });

  it("answer 400 for a bad query", async () => {
    expect((await api(`/telegram/bot/${botId}/chats/stats/?limit=0`)).status).toBe(400);
    expect((await api(`/telegram/bot/${botId}/chats/stats/?cursor=x`)).status).toBe(400);
  });

  it("cache one chat's answer in KV; ?refresh=1 collects again", async () => {
    const path = `/telegram/bot/${botId}/chat/${CHAT}/stats/`;
    const first = await apiJson<{ member_count: number; cached: boolean; source: string }>(path);
    expect(first.body).toMatchObject({ member_count: 100, cached: false, source: "live" });
    const calls = fake.calls.length;
    expect(calls).toBe(3);

    members = 150;
    const second = await apiJson<{ member_count: number; cached: boolean }>(path);
    expect(second.body).toMatchObject({ member_count: 100, cached: true });
    expect(fake.calls.length).toBe(calls);

    const fresh = await apiJson<{ member_count: number; cached: boolean }>(`${path}?refresh=1`);
    expect(fresh.body).toMatchObject({ member_count: 150, cached: false });
    expect(fake.calls.length).toBe(calls * 2);
    // The refreshed answer replaces the cached one.
    expect((await apiJson<{ member_count: number }>(path)).body.member_count).toBe(150);
    const noSlash = await apiJson<{ member_count: number }>(`/telegram/bot/${botId}/chat/${CHAT}/stats`);
    expect(noSlash.status).toBe(200);
  });

  it("cache the all-chats answer too", async () => {
    const path = `/telegram/bot/${botId}/chats/stats/`;
    members = 200;
    const first = await apiJson<{ cached: boolean; totals: { members: number } }>(`${path}?refresh=1`);
    expect(first.body).toMatchObject({ cached: false, totals: { chats: 1, members: 200 } });
    members = 250;
    fake.calls.length = 0;
    const second = await apiJson<{ cached: boolean; totals: { members: number } }>(path);
    expect(second.body).toMatchObject({ cached: true, totals: { members: 200 } });
    expect(fake.calls).toHaveLength(0);
    const third = await apiJson<{ cached: boolean; totals: { members: number } }>(`${path}?refresh=true`);
    expect(third.body).toMatchObject({ cached: false, totals: { members: 250 } });
  });

  it("pages the chats with limit and next_cursor; totals always cover every chat", async () => {
    await env.DB.prepare(
      "INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, -1002000000010, 'channel', 'A'), (?, -1002000000011, 'channel', 'B')",
    )
      .bind(botId, botId)
      .run();
    const page1 = await apiJson<{ count: number; next_cursor?: string; totals: { chats: number }; results: { chat_id: number }[] }>(
      `/telegram/bot/${botId}/chats/stats/?refresh=1&limit=2`,
    );
    expect(page1.body.count).toBe(2);
    expect(page1.body.totals.chats).toBe(3);
    expect(page1.body.next_cursor).toBe("-1002000000010");
    const page2 = await apiJson<{ count: number; next_cursor?: string; results: { chat_id: number }[] }>(
      `/telegram/bot/${botId}/chats/stats/?limit=2&cursor=${page1.body.next_cursor}`,
    );
    expect(page2.body.results.map((r) => r.chat_id)).toEqual([CHAT]);
    expect(page2.body.next_cursor).toBeUndefined();
  });

  it("without bots.tg_id, finds the bot's id with one getMe, cached in KV", async () => {
    await env.DB.prepare("UPDATE bots SET tg_id = NULL WHERE id = ?").bind(botId).run();
    const path = `/telegram/bot/${botId}/chat/${CHAT}/stats/?refresh=1`;
    const res = await apiJson<{ bot_role: string }>(path);
    expect(res.body.bot_role).toBe("administrator");
    expect(fake.callsOf("getMe")).toHaveLength(1);
    await apiJson(path);
    expect(fake.callsOf("getMe")).toHaveLength(1);
    expect(await env.KV.get(`stats:bot-tg-id:${botId}`)).toBe(String(BOT_TG_ID));
  });
});
