// Tasks and broadcasts from the dashboard: a task created (config checked per kind),
// started and deleted by form; a broadcast composed with link buttons and a later time,
// which sends nothing before its time and then sends once with its buttons; a daily one
// that makes its next occurrence; refused forms that store nothing; content saved with
// "notify"; and each form offered only to the roles that may use it.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { drain, runAlarm, scheduleOf, stubFor, useFakeClock } from "./coordinator-support";
import { createStaffAccount, form, login, page, type Session } from "./dashboard-login";
import { count } from "./webhook-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8701, "console_tasks_bot");
let botId = 0;
let admin: Session;
let staff: Session;
let viewer: Session;
const users = [87_001, 87_002, 87_003];

async function post(s: Session, path: string, fields: Record<string, string> = {}) {
  return page(path, {
    method: "POST",
    cookie: s.cookie,
    body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
    headers: form({}).headers,
  });
}
const notice = (res: Response) => new URL(res.headers.get("location") ?? "", "https://x").searchParams;
/** A datetime-local value (UTC) for epoch seconds. */
const local = (t: number) => new Date(t * 1000).toISOString().slice(0, 16);

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Console tasks", tg.token)).id;
  await env.DB.batch([
    ...users.map((id, i) =>
      env.DB.prepare("INSERT INTO tg_users (bot_id, user_id, first_name, preferences) VALUES (?, ?, 'U', ?)").bind(
        botId,
        id,
        JSON.stringify({ notifications: i === 0 }),
      ),
    ),
    ...users.map((id) => env.DB.prepare("INSERT INTO chats (bot_id, chat_id, type) VALUES (?, ?, 'private')").bind(botId, id)),
  ]);
  await createStaffAccount("tasks-admin", "tasks-admin-pass-1", "admin");
  await createStaffAccount("tasks-staff", "tasks-staff-pass-1", "staff");
  await createStaffAccount("tasks-viewer", "tasks-viewer-pass-1", "viewer");
  admin = await login("tasks-admin", "tasks-admin-pass-1");
  staff = await login("tasks-staff", "tasks-staff-pass-1");
  viewer = await login("tasks-viewer", "tasks-viewer-pass-1");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("tasks from the dashboard", () => {
  it("an admin creates and starts a task; a bad config is refused with its reason and stores nothing; delete removes it", async () => {
    const bad = await post(admin, "/telegram/background-tasks/new", { bot_id: String(botId), kind: "broadcast", name: "x" });
    expect(notice(bad).get("error")).toMatch(/config: broadcast_id/);
    const noBot = await post(admin, "/telegram/background-tasks/new", { bot_id: "999999", kind: "stats" });
    expect(notice(noBot).get("error")).toMatch(/not found/i);
    expect(await count("SELECT count(*) AS n FROM background_tasks WHERE bot_id = ?", botId)).toBe(0);
    // The API checks the same config.
    expect((await apiJson("/api/tasks", { body: { bot_id: botId, kind: "polling", config: { every: 5 } } })).status).toBe(400);

    const res = await post(admin, "/telegram/background-tasks/new", {
      bot_id: String(botId),
      kind: "ai_chat",
      name: "Chatbot",
      start: "1",
    });
    expect(res.status).toBe(303);
    expect(notice(res).get("ok")).toMatch(/created and started/);
    const row = await env.DB.prepare("SELECT id, status, is_active, name FROM background_tasks WHERE bot_id = ? AND kind = 'ai_chat'")
      .bind(botId)
      .first<{ id: number; status: string; is_active: number; name: string }>();
    expect(row).toMatchObject({ status: "running", is_active: 1, name: "Chatbot" });
    const html = await (await page("/telegram/background-tasks/", { cookie: admin.cookie })).text();
    expect(html).toContain(`/telegram/background-tasks/${row?.id}/delete`);

    const again = await post(admin, "/telegram/background-tasks/new", { bot_id: String(botId), kind: "ai_chat" });
    expect(notice(again).get("error")).toMatch(/already has a ai_chat task/);

    const del = await post(admin, `/telegram/background-tasks/${row?.id}/delete`);
    expect(notice(del).get("ok")).toBe(`Task #${row?.id} deleted.`);
    expect(await count("SELECT count(*) AS n FROM background_tasks WHERE id = ?", row?.id)).toBe(0);
    // Stopping the AI task on delete turned the bot's AI off again.
    expect(await count("SELECT ai_enabled AS n FROM bots WHERE id = ?", botId)).toBe(0);
  });

  it("shows each role only the forms it may use, and refuses the rest", async () => {
    await apiJson("/api/tasks", { body: { bot_id: botId, kind: "stats", name: "Stats" } });
    const asStaff = await (await page("/telegram/background-tasks/", { cookie: staff.cookie })).text();
    expect(asStaff).not.toContain('id="new-task"');
    expect(asStaff).toContain("Start all");
    expect(asStaff).not.toMatch(/\/delete"/);
    const asViewer = await (await page("/telegram/background-tasks/", { cookie: viewer.cookie })).text();
    expect(asViewer).not.toContain("Start all");
    expect(asViewer).not.toContain('data-task-action="start"');
    expect(asViewer).toContain("Stats");
    expect((await post(staff, "/telegram/background-tasks/new", { bot_id: String(botId), kind: "polling" })).status).toBe(403);
    expect((await post(viewer, "/telegram/broadcasts/new", { bot_id: String(botId), text: "x" })).status).toBe(403);
    const composeAsViewer = await (await page("/telegram/broadcasts/", { cookie: viewer.cookie })).text();
    expect(composeAsViewer).not.toContain('id="compose"');
    const composeAsStaff = await (await page("/telegram/broadcasts/", { cookie: staff.cookie })).text();
    expect(composeAsStaff).toContain('id="compose"');
    const content = await (await page("/admin/content/", { cookie: viewer.cookie })).text();
    expect(content).not.toContain("Add an item");
    expect(await count("SELECT count(*) AS n FROM background_tasks WHERE kind = 'polling'")).toBe(0);
  });
});

describe("broadcasts from the dashboard", () => {
  it("a broadcast for later sends nothing before its time, then once to each chat with its link buttons", async () => {
    const stub = stubFor(botId);
    const clock = await useFakeClock(stub); // a day ahead of real time
    const at = Math.floor(Date.now() / 1000) + 2 * 86_400 + 120;
    const res = await post(staff, "/telegram/broadcasts/new", {
      bot_id: String(botId),
      audience: "private",
      text: "<b>Sale</b> starts now",
      parse_mode: "HTML",
      button_text_1: "Open the shop",
      button_url_1: "https://shop.example.com/sale",
      when: "later",
      send_at: local(at),
    });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    const id = Number(/\/telegram\/broadcasts\/(\d+)\//.exec(location)?.[1]);
    expect(notice(res).get("ok")).toMatch(/to 3 chat\(s\) created; scheduled for/);

    await runAlarm(stub, clock); // the first run finds it is not time yet
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    const waiting = await (await page(`/telegram/broadcasts/${id}/`, { cookie: viewer.cookie })).text();
    expect(waiting).toMatch(/data-testid="broadcast-status">scheduled</);
    expect(waiting).toContain("↗ Open the shop");

    await drain(stub, clock);
    expect(clock.now()).toBeGreaterThanOrEqual(Math.floor(at / 60) * 60 * 1000);
    const sends = fake.callsOf("sendMessage");
    expect(sends.map((c) => Number(c.params.chat_id)).sort()).toEqual(users);
    expect(sends[0]?.params).toMatchObject({
      text: "<b>Sale</b> starts now",
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Open the shop", url: "https://shop.example.com/sale" }]] },
    });
    const r = await apiJson<{ status: string; counts: Record<string, number>; buttons: unknown }>(`/api/broadcasts/${id}`);
    expect(r.body).toMatchObject({ status: "done", counts: { sent: 3, pending: 0 } });
    const done = await (await page(`/telegram/broadcasts/${id}/`, { cookie: viewer.cookie })).text();
    expect(done).toMatch(/data-count="sent"><span>Sent<\/span><strong>3</);
  }, 30_000);

  it("a daily broadcast makes its next occurrence a day later, for the audience as it is then", async () => {
    const stub = stubFor(botId);
    const clock = await useFakeClock(stub);
    // Past the last test's sends (the pacer remembers them), so this one's time is its own.
    clock.t = Date.now() + 5 * 86_400_000;
    const at = Math.floor(clock.t / 1000) + 60;
    const created = await apiJson<{ id: number; task_id: number }>("/api/broadcasts", {
      body: { bot_id: botId, text: "Daily digest", audience: "subscribers", send_at: at, repeat_every: "daily" },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 5 && fake.callsOf("sendMessage").length === 0; i++) await runAlarm(stub, clock);
    expect(fake.callsOf("sendMessage").map((c) => Number(c.params.chat_id))).toEqual([87_001]);
    const next = await env.DB.prepare("SELECT id, send_at, status, task_id FROM broadcasts WHERE id > ? ORDER BY id LIMIT 1")
      .bind(created.body.id)
      .first<{ id: number; send_at: number; status: string; task_id: number }>();
    expect(next).toMatchObject({ send_at: at + 86_400, task_id: created.body.task_id });
    expect(await count("SELECT count(*) AS n FROM broadcast_deliveries WHERE broadcast_id = ? AND status = 'pending'", next?.id)).toBe(1);
    const task = await apiJson<{ status: string; config: { broadcast_id: number } }>(`/api/tasks/${created.body.task_id}`);
    expect(task.body).toMatchObject({ status: "running", config: { broadcast_id: next?.id } });
    // The task comes back at the next occurrence's time, and sends it then.
    expect((await scheduleOf(stub))[`task:${created.body.task_id}`]).toBe((at + 86_400) * 1000);
    for (let i = 0; i < 5 && fake.callsOf("sendMessage").length === 1; i++) await runAlarm(stub, clock);
    expect(fake.callsOf("sendMessage")).toHaveLength(2);
    expect(clock.now()).toBeGreaterThanOrEqual((at + 86_400) * 1000);
    await apiJson(`/api/tasks/${created.body.task_id}/stop`, { body: {} });
  }, 30_000);

  it("refuses a bad form with its reason, keeps what was typed, and stores nothing", async () => {
    const before = await count("SELECT count(*) AS n FROM broadcasts");
    const cases: [Record<string, string>, RegExp][] = [
      [{ text: "Hi", button_text_1: "Click", button_url_1: "javascript:alert(1)" }, /http\(s\) URL/],
      [{ text: "Hi", button_text_1: "", button_url_1: "https://a.example.com" }, /needs a label/],
      [{ text: "Hi", when: "later", send_at: "" }, /send_at: give a date/],
      [{ text: "Hi", when: "weekly", send_at: local(Math.floor(Date.now() / 1000) - 7200) }, /has passed/],
      [{ text: "" }, /text/],
      [{ text: "Hi", audience: "channels" }, /audience is empty/],
    ];
    for (const [fields, reason] of cases) {
      const res = await post(staff, "/telegram/broadcasts/new", { bot_id: String(botId), audience: "private", ...fields });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toMatch(reason);
      if (fields.text) expect(html).toContain(`>${fields.text}</textarea>`);
    }
    expect(await count("SELECT count(*) AS n FROM broadcasts")).toBe(before);
  });

  it("saving a news item with 'notify' broadcasts it to the users who opted in", async () => {
    const res = await post(staff, "/admin/content/new", { kind: "news", bot_id: String(botId), title: "New levels", notify: "1" });
    expect(notice(res).get("ok")).toMatch(/"New levels" added; notifying 1 subscriber\(s\)/);
    const b = await env.DB.prepare(
      "SELECT b.id, b.text FROM broadcasts b JOIN content_items c ON c.id = b.content_item_id WHERE c.title = 'New levels'",
    ).first<{ id: number; text: string }>();
    expect(b?.text).toContain("New levels");
    expect(await count("SELECT count(*) AS n FROM broadcast_deliveries WHERE broadcast_id = ?", b?.id)).toBe(1);
    const quiet = await post(staff, "/admin/content/new", { kind: "game", bot_id: String(botId), title: "Quiet one" });
    expect(notice(quiet).get("ok")).toBe('"Quiet one" added.');
    expect(
      await count("SELECT count(*) AS n FROM broadcasts b JOIN content_items c ON c.id = b.content_item_id WHERE c.title = 'Quiet one'"),
    ).toBe(0);
  });
});
