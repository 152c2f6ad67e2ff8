// The fake Bot API itself (no Worker): what the demo, e2e and browser tests rely on.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegramHandle, SEEDED_BOTS, startFakeTelegram } from "../../tools/fake-telegram/server.mjs";

const bot = SEEDED_BOTS[0]!;
let fake: FakeTelegramHandle;
let hook: Server;
let hookUrl: string;
const received: { headers: IncomingHttpHeaders; body: { update_id: number } & Record<string, unknown> }[] = [];
let failNext = 0;
let replyWith: string | undefined;

// biome-ignore lint/suspicious/noExplicitAny: Bot API results of any method
type AnyResult = any;

async function tg(method: string, params: Record<string, unknown> = {}, token = bot.token) {
  const res = await fetch(`${fake.url}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: AnyResult; error_code?: number; description?: string } };
}

beforeAll(async () => {
  fake = await startFakeTelegram({ retryDelayMs: 20, maxRetryDelayMs: 50 });
  hook = createServer((req, res) => {
    let data = "";
    req.on("data", (d) => {
      data += d;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end("boom");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(replyWith ?? "{}");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const addr = hook.address();
  hookUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/hook`;
});
afterAll(async () => {
  await fake?.close();
  await new Promise((r) => hook?.close(r));
});

describe("fake Telegram Bot API", () => {
  it("knows seeded and FAKE-pattern tokens, and refuses others like Telegram", async () => {
    expect((await tg("getMe")).body.result).toMatchObject({ id: bot.id, username: bot.username, is_bot: true });
    expect((await tg("getMe", {}, "4242:FAKEabcdefghijklmnop1234")).body.result).toMatchObject({ id: 4242, username: "fake4242_bot" });
    expect(await tg("getMe", {}, "4242:not-known-token-abcdefghijkl")).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    expect((await tg("noSuchMethod")).status).toBe(404);
  });

  it("answers chat questions for every chat type, with 403 where the bot was removed", async () => {
    expect((await tg("getChat", { chat_id: -4000000001 })).body.result).toMatchObject({ type: "group", title: "Demo Group" });
    expect((await tg("getChat", { chat_id: "@demo_channel" })).body.result).toMatchObject({ type: "channel" });
    expect((await tg("getChatMemberCount", { chat_id: -1001000000001 })).body.result).toBe(43);
    const admins = (await tg("getChatAdministrators", { chat_id: -1001000000001 })).body.result as { user: { id: number } }[];
    expect(admins.map((a) => a.user.id)).toContain(bot.id);
    expect((await tg("getChatMember", { chat_id: -4000000001, user_id: bot.id })).body.result.status).toBe("member");
    expect(await tg("getChat", { chat_id: -1001000000003 })).toMatchObject({ status: 403, body: { error_code: 403 } });
    expect(await tg("getChat", { chat_id: -999 })).toMatchObject({ status: 400, body: { description: "Bad Request: chat not found" } });
    expect((await tg("sendMessage", { chat_id: 444444444, text: "hi" })).body.description).toBe("Forbidden: bot was blocked by the user");
  });

  it("takes form-urlencoded and multipart bodies", async () => {
    const form = new URLSearchParams({ chat_id: "111111111", text: "*bold*", parse_mode: "Markdown" });
    const a = await (await fetch(`${fake.url}/bot${bot.token}/sendMessage`, { method: "POST", body: form })).json();
    expect(a).toMatchObject({ ok: true, result: { text: "*bold*", chat: { id: 111111111, type: "private" } } });
    const multi = new FormData();
    multi.append("chat_id", "-1001000000001");
    multi.append("document", new Blob(["hello"]), "hello.txt");
    const b = await (await fetch(`${fake.url}/bot${bot.token}/sendDocument`, { method: "POST", body: multi })).json();
    expect(b).toMatchObject({ ok: true, result: { document: { file_name: "hello.txt", file_size: 5 } } });
    expect(fake.callsOf("sendDocument").at(-1)?.files?.document).toMatchObject({ filename: "hello.txt", size: 5 });
    expect((await tg("sendMessage", { chat_id: 111111111, text: "*bad", parse_mode: "Markdown" })).body.description).toMatch(
      /can't parse entities/,
    );
  });

  it("queues updates for getUpdates without a webhook, and 409s getUpdates while one is set", async () => {
    const sent = await fake.sendUserMessage({ bot: bot.id, chatId: 222222222, text: "/help" });
    expect(sent).toMatchObject({ queued: true, delivered: false });
    const got = (await tg("getUpdates", { timeout: 0 })).body.result as { update_id: number }[];
    expect(got.map((u) => u.update_id)).toContain(sent.update.update_id);
    await tg("getUpdates", { offset: sent.update.update_id + 1 });
    expect((await tg("getWebhookInfo")).body.result.pending_update_count).toBe(0);

    expect((await tg("setWebhook", { url: hookUrl, secret_token: "s3cret_token-1" })).body).toMatchObject({ ok: true, result: true });
    expect(await tg("getUpdates")).toMatchObject({ status: 409, body: { error_code: 409 } });
  });

  it("delivers to the webhook with the secret header, retries non-2xx, and tracks errors", async () => {
    received.length = 0;
    failNext = 2;
    const sent = await fake.sendUserMessage({ bot: bot.id, chatId: 111111111, text: "/start" });
    expect(sent).toMatchObject({ delivered: false, status: 500 });
    expect((await tg("getWebhookInfo")).body.result).toMatchObject({
      url: hookUrl,
      pending_update_count: 1,
      last_error_message: "Wrong response from the webhook: 500 Internal Server Error",
    });
    await fake.idle();
    expect(received.map((r) => r.body.update_id)).toEqual(Array(3).fill(sent.update.update_id));
    expect(received[0]!.headers["x-telegram-bot-api-secret-token"]).toBe("s3cret_token-1");
    expect(received[0]!.body.message).toMatchObject({ text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] });
    expect((await tg("getWebhookInfo")).body.result.pending_update_count).toBe(0);
  });

  it("lets a user press a button, checks answerCallbackQuery and editMessageText, and runs webhook replies", async () => {
    const markup = { inline_keyboard: [[{ text: "Language", callback_data: "settings:lang" }]] };
    const msg = (await tg("sendMessage", { chat_id: 111111111, text: "Settings", reply_markup: markup })).body.result;
    received.length = 0;
    const pressed = await fake.pressButton({ bot: bot.username, chatId: 111111111, data: "settings:lang" });
    expect(pressed.delivered).toBe(true);
    const query = received[0]!.body.callback_query as { id: string; data: string; message: { message_id: number } };
    expect(query).toMatchObject({ data: "settings:lang", message: { message_id: msg.message_id } });
    expect((await tg("answerCallbackQuery", { callback_query_id: query.id })).body.result).toBe(true);
    expect((await tg("answerCallbackQuery", { callback_query_id: query.id })).status).toBe(400);
    const edit = { chat_id: 111111111, message_id: msg.message_id, text: "Pick a language" };
    expect((await tg("editMessageText", edit)).body.result).toMatchObject({ text: "Pick a language", edit_date: expect.any(Number) });
    expect((await tg("editMessageText", edit)).body.description).toMatch(/message is not modified/);
    expect((await tg("editMessageText", { ...edit, message_id: 1 })).body.description).toBe("Bad Request: message to edit not found");
    await expect(fake.pressButton({ bot: bot.id, chatId: 111111111, data: "nope" })).rejects.toThrow(/no message/);

    replyWith = JSON.stringify({ method: "sendMessage", chat_id: 111111111, text: "from the webhook reply" });
    await fake.sendUserMessage({ bot: bot.id, chatId: 111111111, text: "hello" });
    replyWith = undefined;
    await expect.poll(() => fake.callsOf("sendMessage").some((c) => c.via === "webhook_reply" && c.ok)).toBe(true);
  });

  it("redelivers an update on demand, serves /_calls and the page", async () => {
    received.length = 0;
    const sent = await fake.sendUserMessage({ bot: bot.id, chatId: -1001000000001, userId: 222222222, text: "hi all" });
    await fake.redeliver(bot.id, sent.update);
    expect(received.map((r) => r.body.update_id)).toEqual([sent.update.update_id, sent.update.update_id]);
    const calls = (await (await fetch(`${fake.url}/_calls?method=getMe`)).json()) as { count: number };
    expect(calls.count).toBeGreaterThan(0);
    const page = await fetch(`${fake.url}/`);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("act as a user");
    expect((await tg("deleteWebhook")).body).toMatchObject({ ok: true, description: "Webhook was deleted" });
  });
});
