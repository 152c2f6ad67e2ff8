// End to end: `wrangler dev` + the fake Bot API + real HTTP webhook deliveries, driven the
// way operators (the CLI, as a child process) and Telegram users (the fake) drive it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";
import { freePort, startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";
import { runCli } from "./support/run-cli";

const tgBot = SEEDED_BOTS[0]!;
const ALICE = 111111111;
const GROUP = -4000000001;
const SUPERGROUP = -1001000000001;
const CHANNEL = -1001000000002;
const REMOVED = -1001000000003;

let fake: FakeTelegramHandle;
let worker: WorkerHandle;
let botId: number;

const cli = (args: string[], stdin?: string) => runCli(args, { url: worker.url, token: TEST_SECRETS.ADMIN_API_TOKEN, stdin });

async function api<T>(path: string): Promise<T> {
  const res = await fetch(worker.url + path, { headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/** Acts as a user and waits until the fake has delivered everything (retries included). */
async function say(chatId: number, text: string, userId?: number) {
  const sent = await fake.sendUserMessage({ bot: tgBot.id, chatId, userId, text });
  await fake.idle(30_000);
  return sent;
}

const POLL = { timeout: 20_000, interval: 100 };

const sentTo = (chatId: number) => fake.callsOf("sendMessage").filter((c) => c.ok && Number(c.params.chat_id) === chatId);

beforeAll(async () => {
  fake = await startFakeTelegram({ retryDelayMs: 100, maxRetryDelayMs: 500 });
  const port = await freePort();
  worker = await startWorker({ port, vars: { TELEGRAM_API_BASE: fake.url, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await worker?.stop();
  await fake?.close();
});

describe("operators and users, end to end", () => {
  it("setup-bot registers the bot and points its webhook at the Worker", async () => {
    const r = await cli(["setup-bot", "demo", tgBot.token, tgBot.username]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = /bot registered: demo \(#(\d+)\) @demo_platform_bot/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    botId = Number(id);
    expect(r.stdout).toContain(`✓ webhook set: ${worker.url}/telegram/webhook/${botId}/`);
    // The command menus were set while registering: one list per scope and language.
    expect(r.stdout).toContain("✓ command menus set");
    expect(fake.callsOf("setMyCommands")).toHaveLength(8);
    const set = fake.callsOf("setWebhook").at(-1)!;
    expect(set.params).toMatchObject({ url: `${worker.url}/telegram/webhook/${botId}/`, secret_token: expect.any(String) });
    expect(r.stdout).not.toContain(tgBot.token);
  });

  it("answers a user's /start and /settings, and a button press, through real webhook deliveries", async () => {
    await say(ALICE, "/start");
    await expect.poll(() => sentTo(ALICE).length, POLL).toBeGreaterThan(0);

    const before = sentTo(ALICE).length;
    await say(ALICE, "/settings");
    await expect.poll(() => sentTo(ALICE).length, POLL).toBeGreaterThan(before);
    const menu = sentTo(ALICE).at(-1)!;
    const buttons = (menu.params.reply_markup?.inline_keyboard ?? []).flat() as { text: string; callback_data?: string }[];
    const data = buttons.map((b) => b.callback_data).filter((d): d is string => Boolean(d));
    expect(data.length).toBeGreaterThan(0);
    // Prefer a choice that changes something (the current one is marked ✓).
    const choice = buttons.find((b) => b.callback_data && !b.text.startsWith("✓"))?.callback_data ?? data[0]!;

    const pressed = await fake.pressButton({ bot: tgBot.id, chatId: ALICE, data: choice });
    await fake.idle(30_000);
    const queryId = (pressed.update.callback_query as { id: string }).id;
    await expect.poll(() => fake.callsOf("answerCallbackQuery").find((c) => c.params.callback_query_id === queryId)?.ok, POLL).toBe(true);
    await expect
      .poll(() => fake.callsOf("editMessageText").some((c) => c.ok && Number(c.params.message_id) === menu.result.message_id), POLL)
      .toBe(true);
  });

  it("stores a redelivered update once", async () => {
    const text = `only once ${Date.now()}`;
    const first = await say(ALICE, text);
    const again = await fake.redeliver(tgBot.id, first.update);
    expect(again).toMatchObject({ delivered: true, status: 200 });
    const stored = await api<{ results: { text: string | null }[] }>(
      `/api/messages?bot_id=${botId}&chat_id=${ALICE}&direction=in&q=${encodeURIComponent(text)}`,
    );
    expect(stored.results.filter((m) => m.text === text)).toHaveLength(1);
  });

  it("test-bot reports each step, and fails where the bot was removed", async () => {
    const ok = await cli(["test-bot", "demo", String(ALICE)]);
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.startsWith("✓ "))).toBe(true);
    expect(ok.stdout).toContain("getMe: @demo_platform_bot");
    expect(ok.stdout).toContain(`webhook: ${worker.url}/telegram/webhook/${botId}/`);
    expect(sentTo(ALICE).at(-1)?.params.text).toMatch(/tgp test-bot/);

    const removed = await cli(["test-bot", String(botId), String(REMOVED), "--format", "json"]);
    expect(removed.code).toBe(1);
    const report = JSON.parse(removed.stdout) as { ok: boolean; steps: { step: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: "send test message", ok: false, detail: expect.stringMatching(/kicked/) });
  });

  it("get-channel-stats answers in table, json and summary formats", async () => {
    // The platform learns a chat from its updates.
    await say(GROUP, "hello group", 222222222);
    await say(SUPERGROUP, "hello supergroup", 333333333);
    await say(CHANNEL, "a channel post");
    await say(REMOVED, "before the bot was removed", 222222222);

    const table = await cli(["get-channel-stats", "--bot-name", "demo", "--refresh"]);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^\s*CHAT_ID\s+TYPE\s+TITLE\s+MEMBERS\s+ADMINS\s+BOT_ROLE/);
    expect(rows.find((r) => r.includes("Demo Supergroup"))).toMatch(/supergroup\s+Demo Supergroup\s+43\s+3\s+administrator/);
    expect(rows.find((r) => r.includes("Demo Channel"))).toMatch(/1235/);
    expect(rows.find((r) => r.includes(String(REMOVED)))).toMatch(/kicked|bot_removed/);
    // Aligned: every row as long as the header's columns allow, the CHAT_ID column right-aligned.
    const idEnd = header!.indexOf("CHAT_ID") + "CHAT_ID".length;
    for (const r of rows) expect(r[idEnd - 1]).toMatch(/\d/);

    const json = await cli(["get-channel-stats", "--bot-id", String(botId), "--format", "json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      bots: { bot_id: number; bot_name: string; results: { chat_id: number; member_count: number | null }[] }[];
    };
    expect(parsed.bots).toHaveLength(1);
    expect(parsed.bots[0]).toMatchObject({ bot_id: botId, bot_name: "demo" });
    expect(parsed.bots[0]!.results.find((c) => c.chat_id === SUPERGROUP)?.member_count).toBe(43);

    const one = await cli(["get-channel-stats", "--all-bots", "--chat-id", String(SUPERGROUP), "--format", "json"]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).bots[0]).toMatchObject({ chat_id: SUPERGROUP, member_count: 43, bot_role: "administrator" });

    const summary = await cli(["get-channel-stats", "--all-bots", "--format", "summary"]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(new RegExp(`^demo \\(#${botId}\\): \\d+ chats, \\d+ members, 1 with errors; .*supergroup 2`, "m"));
  });

  it("lists bots, shows the webhook, creates staff from stdin and starts tasks", async () => {
    const bots = await cli(["bots", "list", "--format", "json"]);
    expect(JSON.parse(bots.stdout)).toMatchObject({ results: [{ id: botId, name: "demo" }] });
    const info = await cli(["webhook", "info", "demo", "--format", "json"]);
    expect(JSON.parse(info.stdout)).toMatchObject({ url: `${worker.url}/telegram/webhook/${botId}/`, pending_update_count: 0 });
    const deleted = await cli(["webhook", "delete", "demo"]);
    expect(deleted).toMatchObject({ code: 0, stdout: `✓ webhook deleted for demo (#${botId})\n` });
    expect(fake.callsOf("deleteWebhook").at(-1)?.ok).toBe(true);
    const reset = await cli(["webhook", "set", String(botId), "--allowed-updates", "message,callback_query"]);
    expect(reset.code).toBe(0);
    expect(fake.callsOf("setWebhook").at(-1)?.params).toMatchObject({ allowed_updates: ["message", "callback_query"] });
    const staff = await cli(["create-staff", "carol", "--role", "staff"], "a-long-password\n");
    expect(staff).toMatchObject({ code: 0, stdout: expect.stringContaining("staff account created: carol") });
    const tasks = await cli(["start-all-tasks", "--format", "json"]);
    expect(tasks.code).toBe(0);
    expect(JSON.parse(tasks.stdout)).toMatchObject({ count: expect.any(Number), results: expect.any(Array) });
  });

  it("serves a bot without a webhook by polling getUpdates, started and stopped from the CLI", async () => {
    const second = SEEDED_BOTS[1]!;
    const setup = await cli(["setup-bot", "poller", second.token, second.username, "--no-webhook", "--format", "json"]);
    expect(setup.code).toBe(0);
    const pollerId = (JSON.parse(setup.stdout) as { bot: { id: number } }).bot.id;
    const created = await fetch(`${worker.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: pollerId, kind: "polling" }),
    });
    expect(created.status).toBe(201);

    const started = await cli(["start-all-tasks", "--bot", "poller"]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/✓ started 1 task\(s\)/);
    expect(started.stdout).toMatch(/polling\s+.*running/);

    const queued = await fake.sendUserMessage({ bot: second.id, chatId: 222222222, text: "/start" });
    expect(queued.queued).toBe(true);
    await expect
      .poll(() => fake.callsOf("sendMessage").some((c) => c.ok && c.bot_id === second.id && Number(c.params.chat_id) === 222222222), {
        ...POLL,
        timeout: 40_000,
      })
      .toBe(true);

    const stopped = await cli(["stop-all-tasks", "--bot", String(pollerId), "--format", "json"]);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ count: 1, results: [{ kind: "polling", status: "stopped" }] });
  });

  it("reports usage errors (exit 2), API refusals (exit 1) and an unreachable platform (exit 3) on stderr", async () => {
    const usage = await cli(["get-channel-stats", "--format", "json"]);
    expect(usage).toMatchObject({ code: 2, stdout: "" });
    expect(usage.stderr).toMatch(/exactly one of --all-bots/);
    const unknown = await cli(["get-channel-stats", "--bot-name", "nope", "--format", "json"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/No bot named "nope"/);
    const dup = await cli(["setup-bot", "demo", tgBot.token, tgBot.username]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists.*HTTP 409/);
    const badToken = await runCli(["bots", "list"], { url: worker.url, token: "wrong-token" });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/Invalid bearer token/);
    const down = await runCli(["bots", "list"], { url: "http://127.0.0.1:9", token: "x" });
    expect(down.code).toBe(3);
  });
});
