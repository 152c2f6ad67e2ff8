// One error mapping (services/to-app-error.ts): the same Telegram failure answers the same
// code and status from a JSON route and from a dashboard page.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { createStaffAccount, form, login, page, type Session } from "./dashboard-login";

const fake = new FakeTelegram();
let botId: number;
let s: Session;

beforeAll(async () => {
  fake.listen();
  const tg = fake.addBot(7301, "mapping_bot");
  botId = (await createBot("Mapping bot", tg.token)).id;
  await createStaffAccount("map-admin", "map-admin-password", "admin");
  s = await login("map-admin", "map-admin-password");
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const bearer = { "content-type": "application/json", accept: "application/json", authorization: "Bearer test-admin-token-0123456789" };

async function viaJson(chatId = -1002): Promise<{ status: number; code: string }> {
  const res = await page(`/telegram/bot/${botId}/send/`, {
    method: "POST",
    body: JSON.stringify({ chat_id: chatId, text: "x" }),
    headers: bearer,
  });
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}

async function viaPage(chatId = -1002): Promise<{ status: number; text: string }> {
  const f = form({ _csrf: s.csrf, bot_id: String(botId), chat_id: String(chatId), text: "x", parse_mode: "" });
  const res = await page("/telegram/send-message/", { method: "POST", cookie: s.cookie, ...f });
  return { status: res.status, text: await res.text() };
}

describe("toAppError, on a JSON route and on a page", () => {
  it("maps Telegram's refusal to 422 TELEGRAM_REFUSED on both", async () => {
    fake.queue("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect(await viaJson()).toEqual({ status: 422, code: "TELEGRAM_REFUSED" });
    fake.queue("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    const p = await viaPage();
    expect(p.status).toBe(422);
    expect(p.text).toContain("Telegram refused (403): Forbidden: bot was blocked by the user");
  });

  it("maps Telegram's rate limit to 429 on both", async () => {
    const limited = { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } };
    fake.queue("sendMessage", limited, limited, limited);
    expect(await viaJson()).toEqual({ status: 429, code: "TOO_MANY_REQUESTS" });
    fake.queue("sendMessage", limited, limited, limited);
    expect((await viaPage()).status).toBe(429);
  });

  it("maps an unreachable Telegram to 502 UPSTREAM_UNAVAILABLE on both", async () => {
    // Another chat: the 429 above paused chat -1002 for 30 s in the bot's send governor.
    fake.queue("sendMessage", { networkError: true }, { networkError: true }, { networkError: true });
    expect(await viaJson(-1003)).toEqual({ status: 502, code: "UPSTREAM_UNAVAILABLE" });
    fake.queue("sendMessage", { networkError: true }, { networkError: true }, { networkError: true });
    const p = await viaPage(-1003);
    expect(p.status).toBe(502);
    expect(p.text).toContain("Telegram could not be reached");
  });
});
