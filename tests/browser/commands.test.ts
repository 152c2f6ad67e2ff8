// The commands admin page in Chromium against `wrangler dev` and tools/fake-telegram: a
// command with buttons made through the form, its preview, a refused keyboard shown with
// the form kept, and the bot's command menus at the fake Telegram (per scope and language).
// Screenshots: test-results/screenshots/commands-*.png.
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const bot = SEEDED_BOTS[0]!;

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let browser: Browser;
let page: Page;
let botId = 0;
const cspViolations: string[] = [];

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/commands-${name}.png`, fullPage: true });

/** The menu the fake Telegram holds for a scope and language. */
async function menuAtFake(scope: string, language_code?: string): Promise<{ command: string; description: string }[]> {
  const res = await fetch(`${fake.url}/bot${bot.token}/getMyCommands`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scope: { type: scope }, ...(language_code && { language_code }) }),
  });
  return ((await res.json()) as { result: { command: string; description: string }[] }).result;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeTelegram();
  worker = await startWorker({ vars: { TELEGRAM_API_BASE: fake.url } });
  const res = await fetch(`${worker.url}/api/bots`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Shop", token: bot.token }),
  });
  if (res.status !== 201) throw new Error(`bot registration failed: ${res.status} ${await res.text()}`);
  botId = ((await res.json()) as { id: number }).id;
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
    content: `document.addEventListener("securitypolicyviolation", (e) => console.error("securitypolicyviolation " + e.violatedDirective));`,
  });
  page = await context.newPage();
  page.on("console", (m) => {
    if (/securitypolicyviolation|Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto("/login?next=/admin/commands/");
  await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
  await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\/commands\//), page.click("button[type=submit]")]);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("commands admin page", () => {
  it("shows the built-in menus set at registration, per scope and language, at the fake Telegram", async () => {
    expect((await menuAtFake("all_private_chats")).map((c) => c.command)).toContain("settings");
    expect((await menuAtFake("all_group_chats")).map((c) => c.command)).not.toContain("settings");
    expect((await menuAtFake("all_private_chats", "ru")).find((c) => c.command === "help")?.description).toBe("Список команд");
    expect(await page.textContent("main")).toMatch(/in step with Telegram since/);
    await shot("empty");
  });

  it("keeps the form and says why when the keyboard is refused", async () => {
    await page.goto("/admin/commands/new");
    await page.selectOption("#bot_id", String(botId));
    await page.fill("#command", "shop");
    await page.fill("#reply_text", "Our shop is open.");
    await page.fill("#keyboard", '[[{"text": "Evil", "url": "javascript:alert(1)"}]]');
    await page.click("form.panel button[type=submit]");
    await expect.poll(() => page.textContent(".notice.error")).toMatch(/javascript: links are not allowed/);
    expect(await page.inputValue("#reply_text")).toBe("Our shop is open.");
    expect(await page.inputValue("#keyboard")).toContain("javascript:");
    await shot("refused");
  });

  it("creates a command with buttons, previews it, and puts it in the menus it names", async () => {
    await page.fill("#description", "Visit the shop");
    await page.fill("#description_ru", "Магазин");
    await page.uncheck("input[name=audience_groups]");
    await page.fill(
      "#keyboard",
      JSON.stringify([
        [
          { text: "Website", url: "https://example.com/shop" },
          { text: "Prices", callback_reply: "From 10 € a month" },
        ],
        [{ text: "Opening hours", callback_reply: "9:00-18:00, Monday to Friday", edit: true }],
      ]),
    );
    await Promise.all([page.waitForURL(/\/admin\/commands\/\d+\?ok=/), page.click("form.panel button[type=submit]")]);
    expect(await page.textContent(".notice.ok")).toContain("Command /shop created.");
    const preview = page.locator("section.tg-preview");
    expect(await preview.locator(".tg-button").allTextContents()).toEqual(["Website ↗", "Prices", "Opening hours"]);
    expect(await preview.locator("a.tg-button").getAttribute("href")).toBe("https://example.com/shop");
    expect(await preview.textContent()).toContain("From 10 € a month");
    await shot("preview");

    const priv = await menuAtFake("all_private_chats");
    expect(priv.at(-1)).toEqual({ command: "shop", description: "Visit the shop" });
    expect((await menuAtFake("all_private_chats", "ru")).at(-1)).toEqual({ command: "shop", description: "Магазин" });
    expect((await menuAtFake("all_group_chats")).map((c) => c.command)).not.toContain("shop");
  });

  it("lists it with its buttons and syncs the menus on demand", async () => {
    await page.goto("/admin/commands/");
    expect(await page.textContent("table.data")).toContain("+ 3 buttons");
    await Promise.all([page.waitForURL(/ok=/), page.click("text=Sync menus now")]);
    expect(await page.textContent(".notice.ok")).toContain("Command menus of Shop set at Telegram (8 lists).");
    await shot("list");
    expect(cspViolations).toEqual([]);
  });
});
