// The staff dashboard in a real browser (Debian's Chromium via playwright-core) against
// `wrangler dev`, with the Telegram Bot API faked by tools/fake-telegram. Screenshots of the
// main pages go to test-results/screenshots/.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, SEEDED_CHATS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const bot = SEEDED_BOTS[0]!;
// A chat the fake does not know (so its collection fails), with a title that needs CSV quoting.
const ODD_CHAT = { id: -1009999999999, title: 'Quotes, "and" commas' };

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let botId = 0;
/** Every Content-Security-Policy violation any page reported (the console and the DOM event). */
const cspViolations: string[] = [];

function watchCsp(p: Page) {
  p.on("console", (m) => {
    if (/Content Security Policy|securitypolicyviolation/i.test(m.text())) cspViolations.push(`${p.url()}: ${m.text()}`);
  });
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function shot(name: string, p: Page = page) {
  await p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

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
  const rows = [
    ...SEEDED_CHATS.map((c) => ({ id: c.id, type: c.type, title: c.title, username: c.username })),
    { ...ODD_CHAT, type: "supergroup", username: undefined },
  ];
  worker.sql(
    `INSERT INTO chats (bot_id, chat_id, type, title, username) VALUES ${rows
      .map((c) => `(${botId}, ${c.id}, ${sqlString(c.type)}, ${sqlString(c.title)}, ${c.username ? sqlString(c.username) : "NULL"})`)
      .join(", ")};`,
  );
  // History and analytics for the charts, the heatmap and the top posters.
  const channel = SEEDED_CHATS.find((c) => c.type === "channel")!;
  const group = SEEDED_CHATS.find((c) => c.type === "supergroup")!;
  const now = Math.floor(Date.now() / 1000);
  const days = Array.from({ length: 14 }, (_, i) => new Date((now - (13 - i) * 86400) * 1000).toISOString().slice(0, 10));
  worker.sql(
    [
      `INSERT INTO chat_snapshots (bot_id, chat_id, period_start, member_count, collected_at) VALUES ${days
        .map((_, i) => `(${botId}, ${channel.id}, ${now - (13 - i) * 86400}, ${1100 + i * 9}, ${now - (13 - i) * 86400})`)
        .join(", ")};`,
      `INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages, active_users, joins, leaves) VALUES ${days
        .map((d, i) => `(${botId}, ${group.id}, '${d}', ${20 + ((i * 7) % 15)}, ${3 + (i % 4)}, ${i % 3}, ${i % 5 === 0 ? 1 : 0})`)
        .join(", ")};`,
      `INSERT INTO chat_hourly_activity (bot_id, chat_id, weekday, hour, messages) VALUES ${Array.from({ length: 7 * 24 }, (_, k) => {
        const [d, h] = [Math.floor(k / 24), k % 24];
        return `(${botId}, ${group.id}, ${d}, ${h}, ${h >= 8 && h <= 22 ? ((d + 1) * (h % 7)) % 12 : 0})`;
      }).join(", ")};`,
      `INSERT INTO tg_users (bot_id, user_id, first_name, username) VALUES (${botId}, 111111111, 'Alice', 'alice'), (${botId}, 222222222, 'Bob', 'bob');`,
      `INSERT INTO chat_user_daily (bot_id, chat_id, day, user_id, messages) VALUES (${botId}, ${group.id}, '${days[13]}', 111111111, 42), (${botId}, ${group.id}, '${days[13]}', 222222222, 17);`,
    ].join("\n"),
  );
  const task = await fetch(`${worker.url}/api/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: botId, kind: "stats", name: "Channel statistics" }),
  });
  if (task.status !== 201) throw new Error(`task creation failed: ${task.status} ${await task.text()}`);
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
  context = await browser.newContext({ baseURL: worker.url, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  // Runs before any page script (and is not subject to the page's CSP).
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) =>
      console.error("securitypolicyviolation " + e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));`,
  });
  context.on("page", watchCsp);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await fake?.close();
});

describe("staff dashboard in Chromium", () => {
  it("sends an anonymous visitor to the login page, and shows a readable error for a wrong password", async () => {
    await page.goto("/studio/social/telegram-stats/");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/studio/social/telegram-stats/");
    await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
    await page.fill("#password", "not-the-password");
    await page.click("button[type=submit]");
    await expect.poll(() => page.textContent(".notice.error")).toContain("Wrong username or password.");
    await shot("login-error");
  });

  it("logs in and lands on the statistics page with cards and the seeded chats", async () => {
    await page.fill("#username", TEST_SECRETS.DEV_ADMIN_USERNAME);
    await page.fill("#password", TEST_SECRETS.DEV_ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/\/studio\/social\/telegram-stats\//), page.click("button[type=submit]")]);
    expect(await page.textContent("[data-testid=total-chats]")).toBe(String(SEEDED_CHATS.length + 1));
    for (const c of SEEDED_CHATS) expect(await page.locator(`tr[data-chat-id="${c.id}"]`).count(), c.title).toBe(1);
  });

  it("refreshes from the fake Bot API: member counts, roles and the error panel", async () => {
    await Promise.all([page.waitForURL(/ok=/), page.click("text=↻ Refresh")]);
    await expect.poll(() => page.textContent(".notice.ok")).toMatch(/collected now/);
    const channel = SEEDED_CHATS.find((c) => c.type === "channel")!;
    const members = page.locator(`tr[data-chat-id="${channel.id}"] td.num`).first();
    expect(Number((await members.textContent())?.replace(/,/g, ""))).toBeGreaterThan(1000);
    expect(await page.textContent(".error-panel")).toContain(ODD_CHAT.title);
    expect(Number((await page.textContent("[data-testid=total-members]"))?.replace(/,/g, ""))).toBeGreaterThan(1000);
    await page.waitForSelector("#chart-members .uplot");
    await page.waitForSelector("#chart-daily .uplot");
    expect(await page.textContent("ol.bars")).toContain("Alice");
    await shot("telegram-stats");
  });

  it("filters rows as you type, and sorts by a column", async () => {
    await page.fill("#q", "demo super");
    const visible = () => page.locator("#chat-table tbody tr:visible").count();
    await expect.poll(visible).toBe(1);
    await page.fill("#q", "channel");
    await expect.poll(visible).toBe(1);
    expect(await page.locator("#chat-table tbody tr:visible").textContent()).toContain("Demo Channel");
    await page.fill("#q", "");
    await expect.poll(visible).toBe(SEEDED_CHATS.length + 1);
    await page.click("#chat-table th:nth-child(4) button");
    await page.click("#chat-table th:nth-child(4) button"); // descending
    expect(await page.locator("#chat-table tbody tr").first().getAttribute("data-chat-id")).toBe(
      String(SEEDED_CHATS.find((c) => c.type === "channel")!.id),
    );
  });

  it("downloads the CSV with every chat, a BOM and correct quoting", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Export CSV")]);
    const file = await download.path();
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe("chat_id,title,username,type,members,administrators,bot_role,last_error,collected_at");
    expect(lines).toHaveLength(SEEDED_CHATS.length + 2);
    const odd = lines.find((l) => l.startsWith(String(ODD_CHAT.id)));
    expect(odd).toContain('"Quotes, ""and"" commas"');
    expect(lines.some((l) => l.startsWith(`${SEEDED_CHATS[2]!.id},Demo Channel,demo_channel,channel,`))).toBe(true);
  });

  it("sends a message that reaches the fake Bot API and shows the result", async () => {
    await page.goto("/telegram/send-message/");
    const group = SEEDED_CHATS.find((c) => c.type === "supergroup")!;
    await page.fill("#chat_id", String(group.id));
    await page.fill("#text", "Hello from the *dashboard*");
    expect(await page.innerHTML("#preview")).toContain("<b>dashboard</b>");
    await shot("send-message-form");
    await Promise.all([page.waitForLoadState("load"), page.click("#send-form button[type=submit]")]);
    await expect.poll(() => page.textContent("[data-testid=send-result]")).toMatch(new RegExp(`Sent to ${group.id}: message id \\d+`));
    const call = fake.callsOf("sendMessage").at(-1);
    expect(call?.params).toMatchObject({ chat_id: group.id, text: "Hello from the *dashboard*", parse_mode: "Markdown" });
    await shot("send-message-result");
  });

  it("shows Telegram's refusal on the send page", async () => {
    fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await page.fill("#chat_id", "-100123");
    await page.fill("#text", "nobody home");
    await Promise.all([page.waitForLoadState("load"), page.click("#send-form button[type=submit]")]);
    await expect.poll(() => page.textContent("[data-testid=send-error]")).toContain("Bad Request: chat not found");
  });

  it("refuses a form post without the CSRF token", async () => {
    const res = await context.request.post(`${worker.url}/admin/content/new`, {
      form: { kind: "news", title: "sneaky" },
      headers: { accept: "text/html" },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain("Missing or invalid CSRF token");
    expect(worker.sql("SELECT count(*) AS n FROM content_items")).toEqual([{ n: 0 }]);
  });

  it("renders the other main pages (screenshots), including at phone width", async () => {
    for (const [path, name] of [
      ["/", "home"],
      ["/telegram/channel-stats/", "channel-stats"],
      ["/telegram/background-tasks/", "background-tasks"],
      ["/admin/bots/", "admin-bots"],
      ["/admin/messages/", "admin-messages"],
      ["/admin/ai/", "admin-ai"],
    ] as const) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      await shot(name);
    }
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`/studio/social/telegram-stats/?bot_id=${botId}`);
    await shot("telegram-stats-phone", phone);
    const overflow = Number(await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    expect(overflow).toBeLessThanOrEqual(1);
    await phone.close();
  });

  it("lists background tasks and starts one with its button", async () => {
    await page.goto("/telegram/background-tasks/");
    const row = page.locator("tr[data-task-id]").first();
    expect(await row.textContent()).toContain("Channel statistics");
    // The statistics page's first visit already ran the stats task once in the background
    // (stale chats), without marking it active; the button starts it for good.
    expect(["stopped", "completed"]).toContain(await row.locator(".tag").textContent());
    const status = async () => {
      const res = await fetch(`${worker.url}/telegram/background-tasks/${await row.getAttribute("data-task-id")}/status/`, {
        headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` },
      });
      return (await res.json()) as { is_active: boolean; status: string };
    };
    expect((await status()).is_active).toBe(false);
    await Promise.all([page.waitForEvent("load"), row.locator("form[data-task-action=start] button").click()]);
    await expect.poll(async () => (await status()).is_active).toBe(true);
    await expect.poll(() => page.locator("tr[data-task-id] .tag").first().textContent()).not.toBe("stopped");
    await shot("background-tasks");
  });

  it("creates an API token on the tokens page (shown once), and shows the staff management forms", async () => {
    await page.goto("/admin/tokens/");
    await page.fill("#name", "browser token");
    await page.selectOption("#role", "viewer");
    await Promise.all([page.waitForEvent("load"), page.click("form[action='/admin/tokens/new'] button[type=submit]")]);
    const token = (await page.textContent("#new-token")) ?? "";
    expect(token).toMatch(/^tgp_/);
    const res = await fetch(`${worker.url}/api/bots`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await shot("admin-tokens");
    await page.goto("/admin/tokens/");
    expect(await page.content()).not.toContain(token);
    await page.goto("/admin/staff/");
    expect(await page.locator("select[name=role]").count()).toBeGreaterThan(0);
    await shot("admin-staff");
  });

  it("logs out, and the session no longer opens pages", async () => {
    await page.goto("/");
    await Promise.all([page.waitForURL(/\/login\?logged_out=1/), page.click("text=Log out")]);
    expect(await page.textContent(".notice.ok")).toContain("logged out");
    await page.goto("/admin/bots/");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("no page broke the Content-Security-Policy (no inline script, nothing blocked)", async () => {
    expect(cspViolations).toEqual([]);
    // Static files carry nosniff and the referrer policy too (public/_headers).
    const js = await fetch(`${worker.url}/js/app.js`);
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    expect(js.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect((await fetch(`${worker.url}/_headers`)).status).not.toBe(200);
  });
});
