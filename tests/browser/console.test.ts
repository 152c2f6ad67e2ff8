// The staff console in Chromium against `wrangler dev` and the fake Bot API: the webhook
// health console (Telegram's own error, hourly charts, a real dead letter replayed), a task
// created and started from the form, and a broadcast composed with a preview and a link
// button, sent, and its delivery report filling in (sent, and failed with Telegram's reason).
// Screenshots: test-results/screenshots/console-*.png.
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, SEEDED_CHATS, SEEDED_USERS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const tgBot = SEEDED_BOTS[0]!;
const auth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" };

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let browser: Browser;
let page: Page;
let botId = 0;
const cspViolations: string[] = [];

async function api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${worker.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
/** The fake's delivery state for the demo bot (its webhook, and the last error Telegram would report). */
function botInbox() {
  const f = fake.fake as unknown as {
    inbox(b: unknown): { webhook?: unknown; lastErrorDate?: number; lastErrorMessage?: string };
    world: { findBot(id: number): unknown };
  };
  return f.inbox(f.world.findBot(tgBot.id));
}
const shot = (name: string) => page.screenshot({ path: `${SHOTS}/console-${name}.png`, fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeTelegram({ retryDelayMs: 200, maxRetryDelayMs: 1000 });
  worker = await startWorker({ vars: { TELEGRAM_API_BASE: fake.url } });
  botId = (await api<{ id: number }>("/api/bots", { name: "Demo", token: tgBot.token })).id;
  // This Worker's own port (PUBLIC_BASE_URL in wrangler.toml names the default 8787).
  await api(`/telegram/webhook/${botId}/set/`, { url: `${worker.url}/telegram/webhook/${botId}/` });
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
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) =>
      console.error("securitypolicyviolation " + e.violatedDirective + " " + e.blockedURI));`,
  });
  page = await context.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy|securitypolicyviolation/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
  });
  page.on("dialog", (d) => void d.accept());
  await page.goto("/login");
  await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
  await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("webhook health console in Chromium", () => {
  it("shows Telegram's error, the inbox, hourly charts and a real dead letter, and replays it", async () => {
    // Traffic: messages from three users, each then delivered again the way Telegram repeats one.
    const hook = botInbox().webhook as { url: string; secret_token: string };
    for (const u of SEEDED_USERS.slice(0, 3)) {
      const sent = await fake.sendUserMessage({ bot: tgBot.id, chatId: u.id, text: "/start" });
      const again = await fetch(hook.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": hook.secret_token },
        body: JSON.stringify(sent.update),
      });
      expect(await again.json()).toMatchObject({ ok: true, status: "duplicate" });
    }
    // A poison update: D1 refuses its message row (a trigger of the test's), so it fails alone until dead-lettered.
    worker.sql(
      "CREATE TRIGGER console_poison BEFORE INSERT ON messages WHEN NEW.text LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison row refused by the test'); END;",
    );
    const alice = SEEDED_USERS[0]!;
    await fake.sendUserMessage({ bot: tgBot.id, chatId: alice.id, text: "/start poison" });
    await expect
      .poll(async () => (await api<{ inbox: { dead_letters: number } }>(`/telegram/bot/${botId}/status/`)).inbox.dead_letters, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe(1);
    // What Telegram would report after our Worker answered it badly.
    const inbox = botInbox();
    inbox.lastErrorDate = Math.floor(Date.now() / 1000) - 420;
    inbox.lastErrorMessage = "Wrong response from the webhook: 503 Service Unavailable";

    await page.goto("/admin/bots/");
    await Promise.all([page.waitForURL(/\/webhook\/?$/), page.click("text=Webhook health")]);
    expect(await page.textContent(".notice.error")).toContain("Wrong response from the webhook: 503 Service Unavailable");
    expect(await page.textContent(".notice.error")).toContain("7 min ago");
    expect(Number(await page.textContent("[data-testid=sum-duplicates]"))).toBeGreaterThanOrEqual(3);
    expect(Number(await page.textContent("[data-testid=sum-failures]"))).toBeGreaterThanOrEqual(5);
    await page.waitForSelector("#chart-duplicates .uplot");
    await page.waitForSelector("#chart-failures .uplot");
    const row = page.locator("table.data tbody tr", { hasText: "poison row refused" });
    expect(await row.count()).toBe(1);
    await shot("webhook-health");

    // The preset ticks its kinds before anything is sent.
    await page.selectOption("#preset", "messages");
    const ticked = await page.$$eval('input[name="allowed_updates"]:checked', (els) => els.map((e) => e.getAttribute("value")));
    expect(ticked).toEqual(["message", "edited_message", "callback_query"]);

    // Fixed: the test's trigger goes, and the operator replays the update from the page.
    worker.sql("DROP TRIGGER console_poison;");
    const before = fake.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === alice.id).length;
    await Promise.all([page.waitForURL(/ok=/), row.locator("button", { hasText: "Replay" }).click()]);
    expect(await page.textContent(".notice.ok")).toMatch(/put back in line/);
    await expect
      .poll(() => fake.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === alice.id).length, { timeout: 20_000 })
      .toBe(before + 1);
    await page.reload();
    expect(await page.textContent("body")).toContain("No dead letters");
    await shot("webhook-replayed");

    // Set with the messages preset from the form.
    await page.selectOption("#preset", "messages");
    await page.fill("#max_connections", "20");
    await Promise.all([page.waitForURL(/ok=/), page.click("#webhook-form button[type=submit]")]);
    expect(await page.textContent(".notice.ok")).toContain("Webhook set.");
    const info = await api<{ allowed_updates: string[]; max_connections: number }>(`/telegram/webhook/${botId}/info/`);
    expect(info).toMatchObject({ allowed_updates: ["message", "edited_message", "callback_query"], max_connections: 20 });
  }, 120_000);
});

describe("tasks and broadcasts in Chromium", () => {
  it("creates and starts a statistics task from the form", async () => {
    await page.goto("/telegram/background-tasks/");
    await page.click("text=Create a task");
    await page.selectOption("#kind", "stats");
    await page.fill("#name", "Weekly statistics");
    await shot("task-form");
    await Promise.all([page.waitForURL(/ok=/), page.click("#new-task button[type=submit]")]);
    expect(await page.textContent(".notice.ok")).toMatch(/Task #\d+ \(stats\) created and started/);
    const row = page.locator("tr", { hasText: "Weekly statistics" });
    expect(await row.locator(".tag").textContent()).toMatch(/running|completed/);
    await shot("tasks");
  });

  it("refuses a broadcast task without its config, with the reason", async () => {
    await page.goto("/telegram/background-tasks/");
    await page.click("text=Create a task");
    await page.selectOption("#kind", "broadcast");
    await Promise.all([page.waitForURL(/error=/), page.click("#new-task button[type=submit]")]);
    expect(await page.textContent(".notice.error")).toMatch(/broadcast_id/);
  });

  it("composes a broadcast with a preview and a button, sends it and watches its report fill in", async () => {
    const privateChats = SEEDED_USERS.slice(0, 3).map((u) => u.id);
    const bob = privateChats[1]!;
    fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await page.goto("/telegram/broadcasts/");
    await page.selectOption("#audience", "private");
    await page.fill("#text", "<b>Big news</b>: the shop is open");
    await page.selectOption("#parse_mode", "HTML");
    await page.fill('input[name="button_text_1"]', "Open the shop");
    await page.fill('input[name="button_url_1"]', "https://shop.example.com/");
    expect(await page.innerHTML("#preview")).toContain("<b>Big news</b>");
    expect(await page.textContent("#preview-buttons")).toContain("Open the shop");
    await shot("broadcast-compose");
    await Promise.all([page.waitForURL(/\/telegram\/broadcasts\/\d+\/\?ok=/), page.click("#compose button[type=submit]")]);
    expect(await page.textContent(".notice.ok")).toMatch(/to 3 chat\(s\) created; sending started/);
    // The report fills in by itself (broadcast.js), then reloads once nothing waits.
    await expect.poll(() => page.textContent('[data-count="waiting"] strong'), { timeout: 30_000 }).toBe("0");
    await page.waitForSelector("[data-testid=broadcast-status]:text('done')", { timeout: 15_000 });
    expect(await page.textContent('[data-count="sent"] strong')).toBe("2");
    expect(await page.textContent('[data-count="failed"] strong')).toBe("1");
    expect(await page.textContent("table.data")).toContain("Bad Request: chat not found");
    const sends = fake.callsOf("sendMessage").filter((c) => c.params.text === "<b>Big news</b>: the shop is open");
    expect(sends).toHaveLength(3);
    expect(sends[0]?.params.reply_markup).toEqual({ inline_keyboard: [[{ text: "Open the shop", url: "https://shop.example.com/" }]] });
    expect(privateChats).toContain(bob);
    await shot("broadcast-report");
    await page.goto("/telegram/broadcasts/");
    await shot("broadcasts");
  }, 90_000);

  it("schedules a weekly broadcast for later: nothing is sent, the list says when", async () => {
    const before = fake.callsOf("sendMessage").length;
    await page.goto("/telegram/broadcasts/");
    await page.fill("#text", "Weekly digest");
    await page.selectOption("#when", "weekly");
    const at = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16);
    await page.fill("#send_at", at);
    await Promise.all([page.waitForURL(/ok=/), page.click("#compose button[type=submit]")]);
    expect(await page.textContent(".notice.ok")).toMatch(/scheduled for/);
    expect(await page.textContent("[data-testid=broadcast-status]")).toBe("scheduled");
    expect(await page.textContent("main")).toContain("every week from");
    expect(fake.callsOf("sendMessage").length).toBe(before);
    await shot("broadcast-scheduled");
  });

  it("saves a news item with the notify box", async () => {
    await page.goto("/admin/content/");
    await page.click("text=Add an item");
    await page.fill("#title", "Season two");
    await page.check('input[name="notify"]');
    await Promise.all([page.waitForURL(/ok=|error=/), page.click("form[action='/admin/content/new'] button[type=submit]")]);
    expect(await page.textContent(".notice")).toMatch(/"Season two" added; nobody notified: no users opted into notifications/);
    await shot("content-notify");
  });

  it("no page broke the Content-Security-Policy", () => {
    expect(cspViolations).toEqual([]);
    expect(SEEDED_CHATS.length).toBeGreaterThan(0);
  });
});
