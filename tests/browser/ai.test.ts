// The AI modes panel of /admin/ai/ in a real browser (Chromium via playwright-core) against
// `wrangler dev`: empty state, adding a mode, a refused name, deleting. Screenshots go to
// test-results/screenshots/ai-*.png.
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
const csp: string[] = [];

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/ai-${name}.png`, fullPage: true });
const panel = () => page.locator(`section[aria-labelledby="ai-${botId}"] .ai-modes`);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeTelegram();
  worker = await startWorker({ vars: { TELEGRAM_API_BASE: fake.url } });
  const res = await fetch(`${worker.url}/api/bots`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Demo", token: bot.token }),
  });
  if (res.status !== 201) throw new Error(`bot registration failed: ${res.status} ${await res.text()}`);
  botId = ((await res.json()) as { id: number }).id;
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
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
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  await page.goto("/login?next=/admin/ai/");
  await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
  await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\/ai\//), page.click("button[type=submit]")]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("AI modes on the admin AI page", () => {
  it("shows the empty state, adds a mode, refuses a bad name readably, and deletes", async () => {
    await expect.poll(() => panel().textContent()).toContain("No modes yet");
    await shot("modes-empty");

    await panel().locator("input[name=name]").fill("tutor");
    await panel().locator("textarea[name=prompt]").fill("You are a patient tutor. Explain step by step.");
    await Promise.all([page.waitForURL(/\/admin\/ai\//), panel().locator("button", { hasText: "Add mode" }).click()]);
    await expect.poll(() => page.textContent(".notice")).toContain('Mode "tutor" added');
    expect(await panel().locator("li strong").allTextContents()).toEqual(["tutor"]);
    await shot("modes-added");

    // The same name again: a readable error, nothing added.
    await panel().locator("input[name=name]").fill("tutor");
    await panel().locator("textarea[name=prompt]").fill("Another");
    await Promise.all([page.waitForURL(/\/admin\/ai\//), panel().locator("button", { hasText: "Add mode" }).click()]);
    await expect.poll(() => page.textContent(".notice.error")).toContain("already has a mode named");
    expect(await panel().locator("li").count()).toBe(1);
    await shot("modes-error");

    const api = await fetch(`${worker.url}/api/bots/${botId}/ai-modes`, {
      headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` },
    });
    expect(((await api.json()) as { results: { name: string; prompt: string }[] }).results).toEqual([
      expect.objectContaining({ name: "tutor", prompt: "You are a patient tutor. Explain step by step." }),
    ]);

    await Promise.all([page.waitForURL(/\/admin\/ai\//), panel().locator("button", { hasText: "Delete" }).click()]);
    await expect.poll(() => panel().textContent()).toContain("No modes yet");
    expect(csp).toEqual([]);
  });
});
