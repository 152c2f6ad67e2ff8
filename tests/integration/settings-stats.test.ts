// Statistics that never mislead: a chat never collected says "not collected yet" (never 0),
// opening the page starts one background collection through the bot's stats task (deduped),
// rows.json serves the rows as they land, the administrators and first-seen date are shown,
// and a chart of one point or none is a sentence, not a stretched axis.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { drain, stubFor, useFakeClock } from "./coordinator-support";
import { createStaffAccount, login, page, type Session } from "./dashboard-login";

const fake = new FakeTelegram();
const tg = fake.addBot(7401, "stale_bot");
let botId = 0;
let s: Session;
const CHANNEL = -1007401;
const GROUP = -1007402;

beforeAll(async () => {
  fake.listen();
  fake.on("getChat", (c) => {
    const channel = Number(c.params.chat_id) === CHANNEL;
    return {
      result: { id: Number(c.params.chat_id), type: channel ? "channel" : "supergroup", title: channel ? "Big channel" : "Small group" },
    };
  });
  fake.on("getChatMemberCount", (c) => ({ result: Number(c.params.chat_id) === CHANNEL ? 4321 : 55 }));
  fake.on("getChatAdministrators", () => ({
    result: [
      { status: "creator", user: { id: 9, is_bot: false, first_name: "Olga", username: "olga" }, is_anonymous: false },
      {
        status: "administrator",
        user: { id: 7401, is_bot: true, first_name: "Bot", username: "stale_bot" },
        is_anonymous: false,
        custom_title: "robot",
      },
    ],
  }));
  botId = (await createBot("Stale bot", tg.token)).id;
  await env.DB.prepare(
    "INSERT INTO chats (bot_id, chat_id, type, title, first_seen_at) VALUES (?1, ?2, 'channel', 'Big channel', 1764547200), (?1, ?3, 'supergroup', 'Small group', 1764547200), (?1, 77, 'private', NULL, 1764547200)",
  )
    .bind(botId, CHANNEL, GROUP)
    .run();
  await createStaffAccount("stale-admin", "stale-admin-password", "admin");
  s = await login("stale-admin", "stale-admin-password");
});
afterAll(() => fake.close());

const statsPage = async () => (await page(`/studio/social/telegram-stats/?bot_id=${botId}`, { cookie: s.cookie })).text();
const statsTasks = () => env.DB.prepare("SELECT id, is_active FROM background_tasks WHERE bot_id = ? AND kind = 'stats'").bind(botId).all();

describe("statistics before and after the first collection", () => {
  it("says 'not collected yet' instead of 0, and starts one background collection however often the page is opened", async () => {
    const stub = stubFor(botId);
    const clock = await useFakeClock(stub);
    const html = await statsPage();
    expect(html).toMatch(/data-testid="total-members" class="not-collected">not collected yet</);
    expect(html).toMatch(new RegExp(`data-chat-id="${CHANNEL}" data-pending="1"`));
    expect(html).not.toMatch(/data-chat-id="77" data-pending/);
    expect(html).toContain("Collecting 2 chat(s)");
    expect(html).toContain("2025-12-01"); // first seen
    await statsPage(); // a second visit while the first collection is pending
    const tasks = (await statsTasks()).results;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.is_active).toBe(0); // the page does not ask the cron to keep it running

    const rowsUrl = `/studio/social/telegram-stats/rows.json?bot_id=${botId}&chat_ids=${CHANNEL},${GROUP}`;
    const before = await (await page(rowsUrl, { cookie: s.cookie, headers: { accept: "application/json" } })).json<{
      stale: number;
      rows: { collected_at: number | null; member_count: number | null }[];
    }>();
    expect(before.stale).toBe(2);
    expect(before.rows.every((r) => r.collected_at === null && r.member_count === null)).toBe(true);

    await drain(stub, clock);
    expect(fake.callsOf("getChatMemberCount")).toHaveLength(2); // each stale chat once

    const after = await (await page(rowsUrl, { cookie: s.cookie, headers: { accept: "application/json" } })).json<{
      stale: number;
      rows: { chat_id: number; member_count: number; administrators: { name: string }[] }[];
    }>();
    expect(after.stale).toBe(0);
    expect(after.rows.find((r) => r.chat_id === CHANNEL)?.member_count).toBe(4321);
    expect(after.rows.find((r) => r.chat_id === CHANNEL)?.administrators.map((a) => a.name)).toContain("Olga");

    const fresh = await statsPage();
    expect(fresh).toMatch(/data-testid="total-members">4,376</);
    expect(fresh).not.toContain("Collecting");
    expect(fresh).toContain("Olga");
    expect(fresh).toContain("“robot”");
    await drain(stub, clock);
    expect(fake.callsOf("getChatMemberCount")).toHaveLength(2); // fresh chats: nothing collected again
  });

  it("the API answers the collection coverage in its totals", async () => {
    const { body } = await apiJson<{ totals: { collected_chats: number; collected_at: number | null } }>(
      `/telegram/bot/${botId}/chats/stats/`,
    );
    expect(body.totals.collected_chats).toBe(2);
    expect(body.totals.collected_at).toBeGreaterThan(0);
  });

  it("the plain page shows 'not collected yet' for a chat never collected", async () => {
    await env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type, title) VALUES (?1, -1007403, 'group', 'New group')").bind(botId).run();
    const html = await (await page(`/telegram/channel-stats/?bot_id=${botId}`, { cookie: s.cookie })).text();
    expect(html).toMatch(/New group[\s\S]*?not collected yet/);
    expect(html).toMatch(/Big channel[\s\S]*?4,321/);
  });
});

describe("charts with one point or none", () => {
  it("say so instead of drawing", async () => {
    await env.DB.prepare("DELETE FROM chat_snapshots WHERE bot_id = ?").bind(botId).run();
    let html = await statsPage();
    expect(html).toMatch(/data-testid="chart-members-note">No snapshots yet/);
    expect(html).toMatch(/data-testid="chart-daily-note">No messages in the last 30 days/);
    const yesterday = Math.floor(Date.now() / 1000) - 86400;
    await env.DB.prepare(
      "INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?1, ?2, ?3, 4000, ?3)",
    )
      .bind(botId, CHANNEL, yesterday - (yesterday % 3600))
      .run();
    html = await statsPage();
    const day = new Date(yesterday * 1000).toISOString().slice(0, 10);
    expect(html).toContain(`Only one snapshot so far: 4,000 members on ${day}.`);
    expect(html).not.toContain('id="chart-members"');
    await env.DB.prepare(
      "INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (?1, ?2, ?3, 4100, ?3)",
    )
      .bind(botId, CHANNEL, yesterday - (yesterday % 3600) - 2 * 86400)
      .run();
    html = await statsPage();
    expect(html).toContain('<div class="chart" id="chart-members"></div>');
  });
});
