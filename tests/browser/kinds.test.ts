// Reactions and invite links on the channel statistics page, in Chromium against `wrangler dev`:
// the updates are delivered by the fake Bot API over HTTP to the webhook (its secret header
// included), the way Telegram would, and a group upgraded to a supergroup shows as one chat.
// Screenshots: test-results/screenshots/kinds-*.png.
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { freePort, startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const tgBot = SEEDED_BOTS[0]!;
const NOW = Math.floor(Date.now() / 1000) - 600;
const CHANNEL = { id: -1007100000001, type: "channel", title: "Kinds News" };
const GROUP = { id: -4007100001, type: "group", title: "Kinds Readers" };
const SUPER = { id: -1007100000002, type: "supergroup", title: "Kinds Readers" };
const olga = { id: 7_100_001, is_bot: false, first_name: "Olga", username: "olga_admin" };
const member = (id: number, first_name: string) => ({ id, is_bot: false, first_name });

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let browser: Browser;
let page: Page;
let botId = 0;
const cspViolations: string[] = [];

async function api(path: string, body?: unknown) {
  const res = await fetch(`${worker.url}${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function deliver(update: Record<string, unknown>) {
  const r = await fake.deliver(tgBot.token, update);
  expect(r.delivered, JSON.stringify(r)).toBe(true);
}

const joinVia = (who: ReturnType<typeof member>, chat: object, link?: object) => ({
  chat_member: {
    chat,
    from: who,
    date: NOW,
    old_chat_member: { status: "left", user: who },
    new_chat_member: { status: "member", user: who },
    ...(link && { invite_link: link }),
  },
});

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeTelegram();
  const port = await freePort();
  worker = await startWorker({ port, vars: { TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } });
  const created = await api("/api/bots", { name: "Kinds", token: tgBot.token });
  if (created.status !== 201) throw new Error(`bot registration failed: ${JSON.stringify(created)}`);
  botId = Number(created.body.id);
  const set = await api(`/telegram/webhook/${botId}/set/`, {});
  expect(set.status).toBe(200);
  expect(set.body.allowed_updates).toEqual(
    expect.arrayContaining(["message_reaction", "message_reaction_count", "chat_join_request", "chat_boost"]),
  );

  await deliver({ channel_post: { message_id: 21, date: NOW, chat: CHANNEL, sender_chat: CHANNEL, text: "Our spring launch is live" } });
  await deliver({ channel_post: { message_id: 22, date: NOW, chat: CHANNEL, sender_chat: CHANNEL, text: "Maintenance tonight" } });
  const totals = (id: number, r: [string, number][]) => ({
    message_reaction_count: {
      chat: CHANNEL,
      message_id: id,
      date: NOW,
      reactions: r.map(([emoji, total_count]) => ({ type: { type: "emoji", emoji }, total_count })),
    },
  });
  await deliver(
    totals(21, [
      ["❤️", 12],
      ["🔥", 5],
      ["👍", 3],
    ]),
  );
  await deliver(totals(22, [["👍", 2]]));
  // A group, its reactions and joins, then its upgrade to a supergroup.
  await deliver({ message: { message_id: 5, date: NOW, chat: GROUP, from: olga, text: "Welcome, everyone" } });
  await deliver({
    message_reaction: {
      chat: GROUP,
      message_id: 5,
      user: member(7_100_010, "Ann"),
      date: NOW,
      old_reaction: [],
      new_reaction: [{ type: "emoji", emoji: "🎉" }],
    },
  });
  const spring = {
    invite_link: "https://t.me/+Spr1ng...",
    name: "Spring campaign",
    creator: olga,
    creates_join_request: false,
    is_primary: false,
    is_revoked: false,
  };
  for (let i = 0; i < 3; i++) await deliver(joinVia(member(7_100_020 + i, `Reader ${i}`), GROUP, spring));
  await deliver(joinVia(member(7_100_030, "Walk-in"), GROUP));
  await deliver({
    chat_join_request: { chat: GROUP, from: member(7_100_040, "Asker"), user_chat_id: 7_100_040, date: NOW, invite_link: spring },
  });
  await deliver({ message: { message_id: 1, date: NOW, chat: SUPER, from: olga, migrate_from_chat_id: GROUP.id } });
  await deliver({ message: { message_id: 6, date: NOW, chat: GROUP, from: olga, migrate_to_chat_id: SUPER.id } });
  await fake.idle();

  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ baseURL: worker.url, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto("/login");
  await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
  await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname !== "/login"), page.click("button[type=submit]")]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("reactions and invite links on the channel statistics page", () => {
  it("shows the top reacted posts, joins by link and top inviters, and the upgraded group once", async () => {
    // The drain runs after the webhook answered: wait until the last update is stored.
    await expect.poll(async () => (await api(`/api/analytics/${botId}/joins-by-link`)).body.joins_total, { timeout: 20_000 }).toBe(4);
    await page.goto(`/telegram/channel-stats/?bot_id=${botId}`);
    const reactions = page.locator("[data-testid=reactions]");
    const rows = reactions.locator("table.data tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    expect(await rows.first().textContent()).toContain("Our spring launch is live");
    expect(await rows.first().textContent()).toContain("20");
    const invites = page.locator("[data-testid=invites]");
    expect(await invites.textContent()).toContain("Spring campaign");
    expect(await invites.textContent()).toContain("@olga_admin");
    expect(await page.textContent("[data-testid=joins-total]")).toBe("4");
    expect(await page.textContent("[data-testid=joins-without-link]")).toBe("1");
    // One row for the upgraded group: the supergroup.
    const table = await page.locator("table.data").first().textContent();
    expect(table).toContain(String(SUPER.id));
    expect(table).not.toContain(String(GROUP.id));
    await page.screenshot({ path: `${SHOTS}/kinds-channel-stats.png`, fullPage: true });

    await page.click(`a[href="?bot_id=${botId}&chat_id=${CHANNEL.id}"]`);
    expect(await page.locator("[data-testid=reactions]").textContent()).toContain(`${CHANNEL.title} (${CHANNEL.id})`);
    expect(await page.locator("[data-testid=reactions]").textContent()).not.toContain("Welcome, everyone");
    expect(await page.textContent("[data-testid=invites]")).toContain("No joins through invite links yet");
    await page.screenshot({ path: `${SHOTS}/kinds-channel-stats-one-chat.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
