// The webhook health console (/admin/bots/{id}/webhook/): the counters' hourly history,
// Telegram's own error shown as Telegram's, the admin's actions reaching setWebhook with
// what the form chose, refusals that change nothing, a viewer's read-only page, and a
// dead letter replayed from the page.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../helpers/fake-telegram";
import { stubFor, useFakeClock, withInstance } from "./coordinator-support";
import { createStaffAccount, form, login, page, type Session } from "./dashboard-login";
import { deliver, settle, setupBot, type TestBot, textUpdate } from "./webhook-support";

const fake = new FakeTelegram();
let bot: TestBot;
let admin: Session;
let viewer: Session;
const url = () => `/admin/bots/${bot.id}/webhook/`;

async function post(s: Session, path: string, fields: Record<string, string | string[]> = {}) {
  const body = new URLSearchParams({ _csrf: s.csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return page(path, { method: "POST", cookie: s.cookie, body: body.toString(), headers: form({}).headers });
}
const notice = (res: Response) => new URL(res.headers.get("location") ?? "", "https://x").searchParams;

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 8601, "console_bot");
  await createStaffAccount("console-admin", "console-admin-pass-1", "admin");
  await createStaffAccount("console-viewer", "console-viewer-pass-1", "viewer");
  admin = await login("console-admin", "console-admin-pass-1");
  viewer = await login("console-viewer", "console-viewer-pass-1");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe("webhook health console", () => {
  it("counts duplicates in the current hour's bucket and shows the totals on the page", async () => {
    const u = textUpdate("/start", { chatId: 86001, userId: 86001 });
    expect((await deliver(bot.id, bot.secret, u)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, u)).status).toBe(200);
    expect((await deliver(bot.id, bot.secret, u)).status).toBe(200);
    const h = await stubFor(bot.id).counterHistory(48);
    expect(h.hours).toHaveLength(48);
    expect(h.hours[47]).toBe(Math.floor(Date.now() / 3_600_000) * 3600);
    expect(h.series.duplicates.at(-1)).toBe(2);
    expect(h.series.received.at(-1)).toBe(1);
    expect(h.series.duplicates.slice(0, 47).every((n) => n === 0)).toBe(true);

    const html = await (await page(url(), { cookie: admin.cookie })).text();
    expect(html).toMatch(/data-testid="sum-duplicates">2</);
    expect(html).toContain('id="health-data"');
    expect(html).toContain("Telegram reports no delivery error");
  });

  it("shows Telegram's own delivery error with its age, and says so when Telegram cannot be asked", async () => {
    const at = Math.floor(Date.now() / 1000) - 600;
    fake.on("getWebhookInfo", () => ({
      result: {
        url: `https://platform.test/telegram/webhook/${bot.id}/`,
        has_custom_certificate: false,
        pending_update_count: 17,
        last_error_date: at,
        last_error_message: "Wrong response from the webhook: 502 Bad Gateway",
        max_connections: 40,
        allowed_updates: ["message"],
      },
    }));
    const html = await (await page(url(), { cookie: admin.cookie })).text();
    expect(html).toContain("Telegram reports an error delivering to this webhook, 10 min ago");
    expect(html).toContain("Wrong response from the webhook: 502 Bad Gateway");
    expect(html).toMatch(/Pending at Telegram<\/span><strong>17</);

    fake.reset();
    fake.on("getWebhookInfo", () => ({ error_code: 401, description: "Unauthorized" }));
    const down = await page(url(), { cookie: admin.cookie });
    expect(down.status).toBe(200);
    const text = await down.text();
    expect(text).toContain("Telegram could not be asked about this webhook");
    expect(text).toContain("Inbox depth");
  });

  it("sets the webhook with a preset, max connections and drop pending; rotates; refuses bad input without calling Telegram", async () => {
    const set = await post(admin, `${url()}apply`, { url: "", preset: "messages", max_connections: "10", drop_pending_updates: "1" });
    expect(set.status).toBe(303);
    expect(notice(set).get("ok")).toBe("Webhook set.");
    const call = fake.callsOf("setWebhook")[0];
    expect(call?.params).toMatchObject({
      url: `https://platform.test/telegram/webhook/${bot.id}/`,
      allowed_updates: ["message", "edited_message", "callback_query"],
      max_connections: 10,
      drop_pending_updates: true,
    });
    const secret1 = String(call?.params.secret_token);

    const boxes = await post(admin, `${url()}apply`, { preset: "", allowed_updates: ["message", "chat_member"] });
    expect(notice(boxes).get("ok")).toBe("Webhook set.");
    expect(fake.callsOf("setWebhook")[1]?.params.allowed_updates).toEqual(["message", "chat_member"]);

    const rotate = await post(admin, `${url()}rotate`);
    expect(notice(rotate).get("ok")).toBe("Secret rotated.");
    const r = fake.callsOf("setWebhook")[2]?.params;
    expect(r?.url).toBe(`https://platform.test/telegram/webhook/${bot.id}/`);
    expect(r?.allowed_updates).toEqual(["message", "chat_member"]);
    expect(r?.secret_token).not.toBe(secret1);
    bot.secret = String(r?.secret_token);

    const drop = await post(admin, `${url()}drop-pending`);
    expect(notice(drop).get("ok")).toBe("Pending updates dropped.");
    expect(fake.callsOf("setWebhook")[3]?.params).toMatchObject({ drop_pending_updates: true });
    bot.secret = String(fake.callsOf("setWebhook")[3]?.params.secret_token);

    fake.reset();
    const bad = await post(admin, `${url()}apply`, { preset: "", allowed_updates: ["message"], max_connections: "500" });
    expect(notice(bad).get("error")).toMatch(/max_connections/);
    const none = await post(admin, `${url()}apply`, { preset: "" });
    expect(notice(none).get("error")).toMatch(/at least one kind/);
    const http = await post(admin, `${url()}apply`, { url: "http://evil.example.com/hook", preset: "messages" });
    expect(notice(http).get("error")).toMatch(/url/);
    expect(fake.callsOf("setWebhook")).toHaveLength(0);

    // Telegram's refusal is shown as Telegram's.
    fake.queue("setWebhook", { error_code: 400, description: "Bad Request: bad webhook: Failed to resolve host" });
    const refused = await post(admin, `${url()}apply`, { preset: "messages" });
    expect(notice(refused).get("error")).toMatch(/Failed to resolve host/);
  });

  it("a viewer reads the page without any write form, and a viewer's post is refused and changes nothing", async () => {
    const html = await (await page(url(), { cookie: viewer.cookie })).text();
    expect(html).toContain("Inbox depth");
    expect(html).not.toContain('id="webhook-form"');
    expect(html).not.toContain("Rotate the secret");
    expect(html).toContain("are for admins");
    for (const path of ["apply", "rotate", "remove", "drop-pending", "dead-letters/1/replay"]) {
      expect((await post(viewer, `${url()}${path}`, { preset: "messages" })).status).toBe(403);
    }
    expect(fake.callsOf("setWebhook")).toHaveLength(0);
    expect(fake.callsOf("deleteWebhook")).toHaveLength(0);
  });

  it("lists a dead letter and replays it from the page; discarding an unknown one says so", async () => {
    const stub = stubFor(bot.id);
    const clock = await useFakeClock(stub);
    const poison = textUpdate("/start", { chatId: 86002, userId: 86002 });
    await withInstance(stub, (inst) => {
      inst.faults = {
        beforeStore(ids) {
          if (ids.includes(poison.update_id)) throw new Error("poison: this update always fails");
        },
      };
    });
    await deliver(bot.id, bot.secret, poison, {}, { handled: false });
    let state = await settle(bot.id);
    for (let i = 0; i < 10 && state.dead_letters === 0; i++) {
      clock.advance(60_000);
      state = await settle(bot.id);
    }
    expect(state.dead_letters).toBe(1);
    const html = await (await page(url(), { cookie: admin.cookie })).text();
    expect(html).toContain(`dead-letters/${poison.update_id}/replay`);
    expect(html).toContain("poison: this update always fails");
    expect(html).toMatch(/Failures \(a handling attempt failed\): <span data-testid="sum-failures">[1-9]/);

    await withInstance(stub, (inst) => {
      inst.faults = undefined;
    });
    const replay = await post(admin, `${url()}dead-letters/${poison.update_id}/replay`);
    expect(notice(replay).get("ok")).toBe(`Update ${poison.update_id} put back in line.`);
    await settle(bot.id);
    expect((await stub.inboxStatus()).dead_letters).toBe(0);
    expect(fake.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === 86002)).toHaveLength(1);

    const gone = await post(admin, `${url()}dead-letters/${poison.update_id}/discard`);
    expect(notice(gone).get("error")).toMatch(/No dead letter/);
  });

  it("deletes the webhook from the page", async () => {
    const res = await post(admin, `${url()}remove`);
    expect(notice(res).get("ok")).toBe("Webhook deleted.");
    expect(fake.callsOf("deleteWebhook")).toHaveLength(1);
  });
});
