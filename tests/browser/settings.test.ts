// The bot settings form and the honest statistics pages in Chromium, against `wrangler dev`
// with the fake Telegram: every bot setting edited and saved, refusals shown next to their
// fields, a first visit to the statistics page ("not collected yet", then the rows filling in
// from the background collection), and a chart with a single snapshot saying so.
// Screenshots: test-results/screenshots/settings-*.png.
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, SEEDED_CHATS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const tgBot = SEEDED_BOTS[0]!;
const CHANNEL = SEEDED_CHATS.find((c) => c.type === "channel")!;

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let browser: Browser;
let page: Page;
let botId = 0;
const problems: string[] = [];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const shot = (name: string) => page.screenshot({ path: `${SHOTS}/settings-${name}.png`, fullPage: true });

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${worker.url}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  fake = await startFakeTelegram();
  worker = await startWorker({ vars: { TELEGRAM_API_BASE: fake.url } });
  const created = await api("/api/bots", { body: { name: "Settings demo", token: tgBot.token } });
  if (created.status !== 201) throw new Error(`bot registration failed: ${created.status}`);
  botId = created.body.id as number;
  // Chats the bot knows but never collected, and one snapshot of the channel from yesterday.
  const yesterday = Math.floor(Date.now() / 1000) - 86400;
  const period = yesterday - (yesterday % 3600);
  worker.sql(
    [
      `INSERT INTO chats (bot_id, chat_id, type, title, username) VALUES ${SEEDED_CHATS.map(
        (c) => `(${botId}, ${c.id}, ${sqlString(c.type)}, ${sqlString(c.title)}, ${c.username ? sqlString(c.username) : "NULL"})`,
      ).join(", ")};`,
      `INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES (${botId}, ${CHANNEL.id}, ${period}, 1200, ${period});`,
    ].join("\n"),
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
  });
  const context = await browser.newContext({ baseURL: worker.url, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => {
    // The refused form's own 400 answer is expected (Chromium logs it as a failed load).
    const expected =
      /favicon/.test(m.location().url) || (/status of 400/.test(m.text()) && m.location().url.endsWith(`/admin/bots/${botId}`));
    if (m.type() === "error" && !expected) problems.push(`${page.url()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  await page.goto("/login?next=/admin/bots/");
  await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
  await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\/bots\/$/), page.click("button[type=submit]")]);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("statistics on a first visit", () => {
  it("says 'not collected yet', then fills the rows in when the background collection lands", async () => {
    await page.goto(`/studio/social/telegram-stats/?bot_id=${botId}`);
    expect(await page.textContent("[data-testid=total-members]")).toBe("not collected yet");
    const members = page.locator(`tr[data-chat-id="${CHANNEL.id}"] [data-cell=members]`);
    expect(await page.textContent("#collect-status")).toMatch(/Collecting 4 chat\(s\)/);
    expect(await page.textContent("[data-testid=chart-members-note]")).toMatch(
      /^Only one snapshot so far: 1,200 members on \d{4}-\d\d-\d\d\.$/,
    );
    expect(await page.locator("#chart-members").count()).toBe(0);
    // The screenshot of the first state, unless the collection was quicker than the page.
    if ((await members.textContent()) === "not collected yet") await shot("stats-first-visit");
    await expect.poll(() => members.textContent(), { timeout: 30_000 }).toMatch(/^1,2\d\d$/);
    await expect.poll(() => page.textContent("#collect-status"), { timeout: 30_000 }).toMatch(/finished/);
    expect(await page.locator("tr[data-pending]").count()).toBe(0);
    // The summary cards follow without a reload.
    expect(await page.textContent("[data-testid=total-members]")).toMatch(/^\d{1,3}(,\d{3})*$/);
    expect(await page.textContent("[data-testid=members-channel]")).toMatch(/^1,2\d\d members$/);
    // The administrators (from the fake's getChatAdministrators) are listed under their count.
    await page.click(`tr[data-chat-id="${CHANNEL.id}"] [data-cell=admins] summary`);
    expect(await page.textContent(`tr[data-chat-id="${CHANNEL.id}"] [data-cell=admins] ul`)).toContain("Alice Anders");
    await shot("stats-collected");
    await page.reload();
    expect(await page.textContent("[data-testid=total-members]")).toMatch(/^\d{1,3}(,\d{3})*$/);
    expect(await page.locator("#collect-status").count()).toBe(0); // nothing stale: nothing started again
  });

  it("the plain channel page shows the administrators, first seen and collected dates", async () => {
    await page.goto(`/telegram/channel-stats/?bot_id=${botId}`);
    expect(await page.textContent("table")).toContain("Demo Channel");
    expect(await page.locator("text=not collected yet").count()).toBe(0);
    await shot("channel-stats");
  });
});

describe("bot settings form", () => {
  it("edits and saves every setting", async () => {
    await page.goto(`/admin/bots/${botId}`);
    expect(await page.content()).not.toContain(tgBot.token.split(":")[1]!);
    await page.fill("#name", "Settings demo (renamed)");
    await page.uncheck("input[name=is_active]");
    await page.check("input[name=allow_paid_broadcast]");
    await page.fill("#welcome_text", "Welcome to the tea shop!");
    await page.fill("#info_text", "We sell green and black tea.");
    await page.fill("#contact_text", "Write to tea@example.com");
    await page.check("input[name=ai_enabled]");
    await page.selectOption("#ai_providers", "gemini,openai");
    await page.fill("#openai_model", "gpt-4.1-mini");
    await page.fill("#gemini_model", "gemini-2.5-pro");
    await page.fill("#ai_memory_messages", "30");
    await page.fill("#ai_daily_quota", "15");
    await page.fill("#ai_group_allowlist", `${SEEDED_CHATS[1]!.id}, ${SEEDED_CHATS[0]!.id}`);
    await page.fill("#ai_system_prompt", "You are a friendly tea expert.");
    const limits: Record<string, number> = {};
    let n = 1;
    for (const name of await page
      .locator("input[name^=lim_]")
      .evaluateAll((els) => els.map((e) => (e as unknown as { name: string }).name))) {
      limits[name] = 100 * n++;
      await page.fill(`#${name}`, String(limits[name]));
    }
    expect(Object.keys(limits)).toHaveLength(11);
    await Promise.all([page.waitForURL(/ok=/), page.click("button[type=submit]:has-text('Save')")]);
    expect(await page.textContent(".notice.ok")).toContain("saved");
    expect(await page.inputValue("#info_text")).toBe("We sell green and black tea.");
    await shot("bot-saved");

    const { body } = await api(`/api/bots/${botId}`);
    expect(body).toMatchObject({
      name: "Settings demo (renamed)",
      is_active: false,
      allow_paid_broadcast: true,
      welcome_text: "Welcome to the tea shop!",
      info_text: "We sell green and black tea.",
      contact_text: "Write to tea@example.com",
      ai_enabled: true,
      ai_providers: ["gemini", "openai"],
      openai_model: "gpt-4.1-mini",
      gemini_model: "gemini-2.5-pro",
      ai_memory_messages: 30,
      ai_daily_quota: 15,
      ai_group_allowlist: [SEEDED_CHATS[1]!.id, SEEDED_CHATS[0]!.id],
      ai_system_prompt: "You are a friendly tea expert.",
    });
    const stored = body.ai_limits as Record<string, Record<string, Record<string, number>>>;
    for (const [name, value] of Object.entries(limits)) {
      const [, scope, kind, what] = name.split("_") as [string, string, string, string];
      expect(stored[scope]?.[kind]?.[what], name).toBe(value);
    }
  });

  it("shows refusals next to their fields and keeps what was typed", async () => {
    await page.goto(`/admin/bots/${botId}`);
    await page.fill("#name", "");
    await page.fill("#ai_memory_messages", "999");
    await page.fill("#ai_group_allowlist", "-100123, 42");
    await page.fill("#lim_bot_day_tokens", "lots");
    await page.fill("#contact_text", "Changed but not saved");
    await page.fill("#token", "not-a-token");
    await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]:has-text('Save')")]);
    expect(await page.textContent(".notice.error")).toMatch(/Nothing was saved: 5 fields need a change/);
    expect(await page.textContent("#name-error")).toBe("Required.");
    expect(await page.textContent("#ai_memory_messages-error")).toMatch(/200/);
    expect(await page.textContent("#ai_group_allowlist-error")).toContain('"42" is not a group chat id');
    expect(await page.textContent("#lim_bot_day_tokens-error")).toMatch(/whole number/);
    expect(await page.textContent("#token-error")).toMatch(/Telegram bot token/);
    expect(await page.inputValue("#contact_text")).toBe("Changed but not saved");
    expect(await page.inputValue("#ai_memory_messages")).toBe("999");
    expect(await page.inputValue("#token")).toBe("");
    await shot("bot-errors");
    const { body } = await api(`/api/bots/${botId}`);
    expect(body.contact_text).toBe("Write to tea@example.com");
  });

  it("loaded every page without script errors or CSP violations", () => {
    expect(problems).toEqual([]);
  });
});
