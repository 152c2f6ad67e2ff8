// Group analytics from a hand-built rollup set, checked against hand-computed figures.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { deliver, setupBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
const tg = fake.addBot(9101, "analytics_bot");
const otherTg = fake.addBot(9102, "noise_bot");
const C1 = -1005000000001;
const C2 = -1005000000002;
const [U1, U2, U3] = [101, 102, 103];
const range = "from=2026-11-10&to=2026-11-13";
let botId = 0;

async function run(sql: string, ...rows: unknown[][]) {
  for (const r of rows)
    await env.DB.prepare(sql)
      .bind(...r)
      .run();
}

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Analytics bot", tg.token)).id;
  const other = (await createBot("Noise bot", otherTg.token)).id;
  await run(
    "INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?, ?, 'supergroup', ?)",
    [botId, C1, "One"],
    [botId, C2, "Two"],
    [other, C1, "Not ours"],
  );
  await run(
    "INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users, joins, leaves) VALUES (?, ?, ?, ?, 0, ?, ?)",
    [botId, C1, "2026-11-10", 5, 2, 0],
    [botId, C1, "2026-11-11", 3, 0, 1],
    [botId, C1, "2026-11-13", 7, 1, 1],
    [botId, C2, "2026-11-10", 4, 1, 0],
    [botId, C2, "2026-11-12", 6, 0, 0],
    [botId, C2, "2026-11-20", 100, 9, 9], // outside the range
    [other, C1, "2026-11-10", 1000, 50, 50], // another bot's chat with the same id
  );
  await run(
    "INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages) VALUES (?, ?, ?, ?, ?)",
    [botId, C1, "2026-11-10", U1, 3],
    [botId, C1, "2026-11-10", U2, 2],
    [botId, C1, "2026-11-11", U1, 3],
    [botId, C1, "2026-11-13", U2, 4],
    [botId, C1, "2026-11-13", U3, 3],
    [botId, C2, "2026-11-10", U1, 4],
    [botId, C2, "2026-11-12", U2, 6],
    [botId, C2, "2026-11-20", U3, 100],
    [other, C1, "2026-11-10", U3, 1000],
  );
  await run(
    "INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages) VALUES (?, ?, ?, ?, ?)",
    [botId, C1, 1, 9, 5],
    [botId, C1, 2, 14, 3],
    [botId, C2, 1, 9, 4],
    [botId, C2, 0, 23, 6],
    [other, C1, 1, 9, 1000],
  );
  await run(
    "INSERT INTO tg_users (bot_id, user_id, first_name, last_name, username) VALUES (?, ?, ?, ?, ?)",
    [botId, U1, "Ann", "Lee", "ann"],
    [botId, U2, "Bob", null, null],
    [other, U3, "Someone else's", null, "x"],
  );
});
afterAll(() => fake.close());

const counts = (rows: { count: number }[]) => rows.map((r) => r.count);

describe("analytics endpoints", () => {
  it("messages per day, for the bot and for one chat, with empty days as 0", async () => {
    const bot = await apiJson<{ count: number; results: { day: string; count: number }[] }>(`/api/analytics/${botId}/messages?${range}`);
    expect(bot.status).toBe(200);
    expect(bot.body.results).toEqual([
      { day: "2026-11-10", count: 9 },
      { day: "2026-11-11", count: 3 },
      { day: "2026-11-12", count: 6 },
      { day: "2026-11-13", count: 7 },
    ]);
    const chat = await apiJson<{ results: { count: number }[] }>(`/api/analytics/${botId}/messages?chat_id=${C1}&${range}`);
    expect(counts(chat.body.results)).toEqual([5, 3, 0, 7]);
  });

  it("active users per day: a user in two chats counts once for the bot", async () => {
    const bot = await apiJson<{ results: { count: number }[] }>(`/api/analytics/${botId}/active-users?${range}`);
    expect(counts(bot.body.results)).toEqual([2, 1, 1, 2]);
    const chat = await apiJson<{ results: { count: number }[] }>(`/api/analytics/${botId}/active-users?chat_id=${C2}&${range}`);
    expect(counts(chat.body.results)).toEqual([1, 0, 1, 0]);
  });

  it("joins and leaves per day", async () => {
    const { body } = await apiJson<{ results: unknown[] }>(`/api/analytics/${botId}/members?${range}`);
    expect(body.results).toEqual([
      { day: "2026-11-10", joins: 3, leaves: 0, net: 3 },
      { day: "2026-11-11", joins: 0, leaves: 1, net: -1 },
      { day: "2026-11-12", joins: 0, leaves: 0, net: 0 },
      { day: "2026-11-13", joins: 1, leaves: 1, net: 0 },
    ]);
  });

  it("the hour x weekday heatmap", async () => {
    const { body } = await apiJson<{ cells: number[][]; max: number; total: number; range: string }>(`/api/analytics/${botId}/heatmap`);
    expect(body.cells).toHaveLength(7);
    expect(body.cells.every((r) => r.length === 24)).toBe(true);
    expect(body.cells[1]![9]).toBe(9);
    expect(body.cells[2]![14]).toBe(3);
    expect(body.cells[0]![23]).toBe(6);
    expect(body).toMatchObject({ max: 9, total: 18, range: "all_time" });
    const chat = await apiJson<{ total: number }>(`/api/analytics/${botId}/heatmap?chat_id=${C2}`);
    expect(chat.body.total).toBe(10);
  });

  it("top posters with their names", async () => {
    const bot = await apiJson<{ results: unknown[] }>(`/api/analytics/${botId}/top-posters?${range}`);
    expect(bot.body.results).toEqual([
      { user_id: U2, name: "Bob", username: null, messages: 12, active_days: 3 },
      { user_id: U1, name: "Ann Lee", username: "ann", messages: 10, active_days: 2 },
      { user_id: U3, name: null, username: null, messages: 3, active_days: 1 },
    ]);
    const chat = await apiJson<{ results: { user_id: number; messages: number }[] }>(
      `/api/analytics/${botId}/top-posters?chat_id=${C1}&${range}&limit=2`,
    );
    expect(chat.body.results.map((r) => [r.user_id, r.messages])).toEqual([
      [U1, 6],
      [U2, 6],
    ]);
  });

  it("the summary has it all, with totals", async () => {
    const { body } = await apiJson<Record<string, unknown>>(`/api/analytics/${botId}/summary?${range}`);
    expect(body).toMatchObject({
      bot_id: botId,
      chat_id: null,
      from: "2026-11-10",
      to: "2026-11-13",
      totals: { messages: 25, joins: 4, leaves: 2, active_users: 3 },
    });
    expect(counts(body.messages_per_day as { count: number }[])).toEqual([9, 3, 6, 7]);
    expect((body.top_posters as unknown[]).length).toBe(3);
  });

  it("defaults to the last 30 days", async () => {
    const { body } = await apiJson<{ from: string; to: string; count: number }>(`/api/analytics/${botId}/messages`);
    expect(body.count).toBe(30);
    expect(body.to).toBe(new Date().toISOString().slice(0, 10));
  });

  it("needs auth; 404 for an unknown bot or a chat of another bot; 400 for a bad query", async () => {
    expect((await api(`/api/analytics/${botId}/summary`, { token: null })).status).toBe(401);
    expect((await api("/api/analytics/424242/summary")).status).toBe(404);
    expect((await api(`/api/analytics/${botId}/summary?chat_id=-1009`)).status).toBe(404);
    expect((await api(`/api/analytics/${botId}/summary?from=yesterday`)).status).toBe(400);
    expect((await api(`/api/analytics/${botId}/top-posters?limit=1000`)).status).toBe(400);
  });
});

// The bot-wide figures come from the bot rollups, which triggers keep in step with the chat
// rollups ingest writes: checked here through real webhook deliveries, out of day order, with a
// redelivery and a group that becomes a supergroup.
describe("bot-wide analytics after webhook deliveries", () => {
  const A = -7001; // a group, later a supergroup
  const A2 = -1007001;
  const B = -1007002;
  const [P, Q] = [501, 502];
  const at = (day: number, hour: number) => Date.UTC(2026, 10, day, hour, 5) / 1000;
  let id = 0;
  let secret = "";

  const send = async (chatId: number, userId: number, date: number, updateId?: number) => {
    const u = textUpdate(`hello at ${date}`, { chatId, userId, chatType: chatId === A ? "group" : undefined, updateId });
    const res = await deliver(id, secret, { ...u, message: { ...u.message, date } });
    expect(res.status).toBe(200);
  };
  type Poster = { user_id: number; name: string | null; username: string | null; messages: number; active_days: number };
  const posters = async (from: string, to: string, chat?: number) =>
    (
      await apiJson<{ results: Poster[] }>(
        `/api/analytics/${id}/top-posters?from=${from}&to=${to}${chat === undefined ? "" : `&chat_id=${chat}`}`,
      )
    ).body.results.map((p) => [p.user_id, p.messages, p.active_days]);

  beforeAll(async () => {
    const bot = await setupBot(fake, 9103, "deliveries_bot");
    [id, secret] = [bot.id, bot.secret];
    await send(A, P, at(12, 9)); // the latest day first: the earlier days arrive after it
    await send(A, P, at(10, 9));
    await send(B, P, at(10, 9));
    await send(A, Q, at(10, 9), 770001);
    await send(A, P, at(11, 14));
    await send(B, Q, at(12, 9));
    await send(A, Q, at(10, 9), 770001); // a redelivery: not counted again
  });

  it("top posters, active users and messages per day across chats", async () => {
    expect(await posters("2026-11-10", "2026-11-12")).toEqual([
      [P, 4, 3],
      [Q, 2, 2],
    ]);
    expect(await posters("2026-11-11", "2026-11-12")).toEqual([
      [P, 2, 2],
      [Q, 1, 1],
    ]);
    expect(await posters("2026-11-10", "2026-11-10")).toEqual([
      [P, 2, 1],
      [Q, 1, 1],
    ]);
    expect(await posters("2026-11-11", "2026-11-11")).toEqual([[P, 1, 1]]);
    expect(await posters("2026-11-13", "2026-11-20")).toEqual([]);
    const top = await apiJson<{ results: Poster[] }>(`/api/analytics/${id}/top-posters?from=2026-11-10&to=2026-11-12&limit=1`);
    expect(top.body.results).toEqual([{ user_id: P, name: "Test", username: `user${P}`, messages: 4, active_days: 3 }]);
    const range = "from=2026-11-10&to=2026-11-12";
    const active = await apiJson<{ results: { count: number }[] }>(`/api/analytics/${id}/active-users?${range}`);
    expect(counts(active.body.results)).toEqual([2, 1, 2]);
    const summary = await apiJson<{ totals: unknown; messages_per_day: { count: number }[] }>(`/api/analytics/${id}/summary?${range}`);
    expect(summary.body.totals).toEqual({ messages: 6, joins: 0, leaves: 0, active_users: 2 });
    expect(counts(summary.body.messages_per_day)).toEqual([3, 1, 2]);
  });

  it("the heatmap counts each message once in its UTC weekday and hour", async () => {
    const { body } = await apiJson<{ cells: number[][]; total: number; max: number }>(`/api/analytics/${id}/heatmap`);
    const cell = (day: number, hour: number) => body.cells[new Date(at(day, hour) * 1000).getUTCDay()]![hour];
    expect([cell(10, 9), cell(11, 14), cell(12, 9)]).toEqual([3, 1, 2]);
    expect(body).toMatchObject({ total: 6, max: 3 });
  });

  it("a group that becomes a supergroup keeps the bot's figures; the new chat has the old one's", async () => {
    const before = await apiJson(`/api/analytics/${id}/summary?from=2026-11-10&to=2026-11-12`);
    const chat = { id: A, type: "group", title: "Group" };
    const from = { id: P, is_bot: false, first_name: "Test", username: `user${P}`, language_code: "en" };
    await deliver(id, secret, { update_id: 770100, message: { message_id: 9000, date: at(12, 10), chat, from, migrate_to_chat_id: A2 } });
    const after = await apiJson(`/api/analytics/${id}/summary?from=2026-11-10&to=2026-11-12`);
    expect(after.body).toEqual(before.body);
    expect(await posters("2026-11-10", "2026-11-12", A2)).toEqual([
      [P, 3, 3],
      [Q, 1, 1],
    ]);
  });
});
