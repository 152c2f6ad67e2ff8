import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InputFile } from "../../src/lib/bot-api";
import { TelegramClient } from "../../src/telegram/client";
import { TelegramError, TelegramNetworkError } from "../../src/telegram/errors";
import { FakeTelegram, TELEGRAM_BASE } from "../helpers/fake-telegram";

const fake = new FakeTelegram();
const { token } = fake.addBot(5001, "client_test_bot");
const slept: number[] = [];
const client = new TelegramClient({
  token,
  baseUrl: TELEGRAM_BASE,
  sleep: async (ms) => {
    slept.push(ms);
  },
});

beforeAll(() => fake.listen());
afterEach(() => {
  fake.reset();
  slept.length = 0;
});
afterAll(() => fake.close());

describe("TelegramClient", () => {
  it("calls a method with JSON and returns its result", async () => {
    const me = await client.call("getMe");
    expect(me.username).toBe("client_test_bot");
    expect(fake.calls[0]).toMatchObject({ method: "getMe", token });
  });

  it("honours retry_after on 429, then succeeds", async () => {
    fake.queue("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 3", parameters: { retry_after: 3 } });
    const msg = await client.call("sendMessage", { chat_id: 42, text: "hi" });
    expect(msg.text).toBe("hi");
    expect(fake.callsOf("sendMessage")).toHaveLength(2);
    expect(slept).toEqual([3000]);
  });

  it("gives up on a retry_after longer than it may wait, with Telegram's error", async () => {
    fake.queue("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 600", parameters: { retry_after: 600 } });
    const err = await client.call("sendMessage", { chat_id: 42, text: "hi" }).catch((e) => e);
    expect(err).toBeInstanceOf(TelegramError);
    expect(err).toMatchObject({ method: "sendMessage", errorCode: 429, retryAfter: 600 });
    expect(slept).toEqual([]);
  });

  it("retries a 5xx with backoff for safe methods but not for sendMessage", async () => {
    fake.queue("getChat", { error_code: 502, description: "Bad Gateway" }, { error_code: 502, description: "Bad Gateway" });
    fake.on("getChat", () => ({ result: { id: 1, type: "private" } }));
    expect(await client.call("getChat", { chat_id: 1 })).toMatchObject({ id: 1 });
    expect(slept).toEqual([500, 1000]);

    fake.queue("sendMessage", { error_code: 500, description: "Internal Server Error" });
    await expect(client.call("sendMessage", { chat_id: 1, text: "x" })).rejects.toMatchObject({ errorCode: 500 });
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
  });

  it("surfaces a network failure as the network error kind, without the token", async () => {
    fake.queue("sendMessage", { networkError: true });
    const err = await client.call("sendMessage", { chat_id: 1, text: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(TelegramNetworkError);
    expect(err.method).toBe("sendMessage");
    expect(String(err.message)).not.toContain(token);
  });

  it("treats a non-JSON answer as a network error", async () => {
    fake.queue("getMe", { status: 502, body: "<html>bad gateway</html>" }, { status: 502, body: "<html>" }, { status: 502, body: "x" });
    await expect(client.call("getMe")).rejects.toBeInstanceOf(TelegramNetworkError);
  });

  it("falls back to plain text when Telegram cannot parse the Markdown", async () => {
    fake.queue("sendMessage", {
      error_code: 400,
      description: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 3",
    });
    const sent = await client.sendText({ chat_id: 7, text: "a *b", parse_mode: "Markdown" });
    expect(sent).toHaveLength(1);
    const calls = fake.callsOf("sendMessage");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.params).toMatchObject({ text: "a *b", parse_mode: "Markdown" });
    expect(calls[1]?.params).toEqual({ chat_id: 7, text: "a *b" });
  });

  it("sends a 10,000-character text as correctly split messages", async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, "0")}`).join("\n");
    expect(text.length).toBe(9999);
    const sent = await client.sendText({ chat_id: 7, text });
    const calls = fake.callsOf("sendMessage");
    expect(sent).toHaveLength(3);
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(String(c.params.text).length).toBeLessThanOrEqual(4096);
    expect(calls.map((c) => c.params.text).join("\n")).toBe(text);
  });

  it("uploads bytes as well-formed multipart", async () => {
    const bytes = new TextEncoder().encode("%PDF-1.4 fake");
    await client.call("sendDocument", {
      chat_id: 9,
      document: new InputFile(bytes, "report.pdf", "application/pdf"),
      caption: "Report",
      reply_markup: { inline_keyboard: [[{ text: "ok", callback_data: "ok" }]] },
    });
    const call = fake.callsOf("sendDocument")[0];
    expect(call?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(call?.params).toMatchObject({ chat_id: "9", caption: "Report" });
    expect(JSON.parse(String(call?.params.reply_markup))).toEqual({ inline_keyboard: [[{ text: "ok", callback_data: "ok" }]] });
    expect(call?.files?.document).toMatchObject({ filename: "report.pdf", type: "application/pdf", text: "%PDF-1.4 fake" });
  });

  it("sends a photo by URL as JSON", async () => {
    await client.call("sendPhoto", { chat_id: 9, photo: "https://example.com/cat.jpg" });
    expect(fake.callsOf("sendPhoto")[0]).toMatchObject({
      contentType: "application/json",
      params: { photo: "https://example.com/cat.jpg" },
    });
  });
});
