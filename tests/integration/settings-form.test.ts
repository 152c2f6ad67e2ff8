// The bot settings page (/admin/bots/{id}): every setting the PATCH API takes is on the form,
// saved through the same service with the same zod schema; a refusal is shown next to its
// field, keeps what was typed and saves nothing; the token is never on the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { createStaffAccount, form, login, page, type Session } from "./dashboard-login";

const fake = new FakeTelegram();
const tg = fake.addBot(7301, "settings_bot");
const other = fake.addBot(7302, "settings_other_bot");
let botId = 0;
let s: Session;

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Settings bot", tg.token)).id;
  await createBot("Taken name", other.token);
  await createStaffAccount("settings-admin", "settings-admin-password", "admin");
  s = await login("settings-admin", "settings-admin-password");
});
afterAll(() => fake.close());

const full = (over: Record<string, string> = {}): Record<string, string> => ({
  name: "Settings bot",
  token: "",
  is_active: "1",
  allow_paid_broadcast: "1",
  welcome_text: "Hi there",
  info_text: "We sell tea",
  contact_text: "Write to tea@example.com",
  ai_enabled: "1",
  ai_providers: "gemini,openai",
  openai_model: "gpt-4o-mini",
  gemini_model: "gemini-2.0-flash",
  ai_system_prompt: "You are a tea expert.",
  ai_memory_messages: "12",
  ai_daily_quota: "7",
  ai_group_allowlist: "-1001, -1002",
  lim_user_day_tokens: "1000",
  lim_user_month_requests: "100",
  lim_user_month_tokens: "20000",
  lim_chat_day_requests: "40",
  lim_chat_day_tokens: "4000",
  lim_chat_month_requests: "400",
  lim_chat_month_tokens: "40000",
  lim_bot_day_requests: "0",
  lim_bot_day_tokens: "9000",
  lim_bot_month_requests: "900",
  lim_bot_month_tokens: "90000",
  ...over,
});

const post = (fields: Record<string, string>) => {
  const f = form({ _csrf: s.csrf, ...fields });
  return page(`/admin/bots/${botId}`, { method: "POST", cookie: s.cookie, body: f.body, headers: f.headers });
};

describe("bot settings form", () => {
  it("shows every setting and never the token", async () => {
    const res = await page(`/admin/bots/${botId}`, { cookie: s.cookie });
    const html = await res.text();
    expect(res.status).toBe(200);
    for (const name of Object.keys(full())) expect(html).toContain(`name="${name}"`);
    expect(html).not.toContain(tg.token);
    expect(html).not.toContain(tg.token.split(":")[1]);
  });

  it("saves every field through the API's service, as the API then reads it", async () => {
    const res = await post(full());
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(`/admin/bots/${botId}?ok=`);
    const { body } = await apiJson<Record<string, unknown>>(`/api/bots/${botId}`);
    expect(body).toMatchObject({
      name: "Settings bot",
      is_active: true,
      allow_paid_broadcast: true,
      welcome_text: "Hi there",
      info_text: "We sell tea",
      contact_text: "Write to tea@example.com",
      ai_enabled: true,
      ai_providers: ["gemini", "openai"],
      openai_model: "gpt-4o-mini",
      gemini_model: "gemini-2.0-flash",
      ai_system_prompt: "You are a tea expert.",
      ai_memory_messages: 12,
      ai_daily_quota: 7,
      ai_group_allowlist: [-1001, -1002],
    });
    expect(body.ai_limits).toMatchObject({
      user: { day: { tokens: 1000 }, month: { requests: 100, tokens: 20000 } },
      chat: { day: { requests: 40, tokens: 4000 }, month: { requests: 400, tokens: 40000 } },
      bot: { day: { requests: 0, tokens: 9000 }, month: { requests: 900, tokens: 90000 } },
    });
    // The page shows what was saved.
    const html = await (await page(`/admin/bots/${botId}`, { cookie: s.cookie })).text();
    expect(html).toContain("We sell tea");
    expect(html).toMatch(/name="lim_bot_month_tokens" value="90000"/);
  });

  it("unchecking and emptying: inactive, AI off, texts back to the built-in ones, every group", async () => {
    const f = full({ info_text: "", contact_text: "  ", ai_system_prompt: "", ai_group_allowlist: "" });
    delete f.is_active;
    delete f.ai_enabled;
    delete f.allow_paid_broadcast;
    expect((await post(f)).status).toBe(303);
    const { body } = await apiJson<Record<string, unknown>>(`/api/bots/${botId}`);
    expect(body).toMatchObject({
      is_active: false,
      allow_paid_broadcast: false,
      ai_enabled: false,
      info_text: null,
      contact_text: null,
      ai_system_prompt: null,
      ai_group_allowlist: null,
    });
  });

  it("refuses bad values next to their fields, keeps what was typed and saves nothing", async () => {
    const before = (await apiJson<Record<string, unknown>>(`/api/bots/${botId}`)).body;
    const res = await post(
      full({
        name: "",
        info_text: "Changed, but not saved",
        ai_memory_messages: "500",
        ai_daily_quota: "lots",
        ai_group_allowlist: "-1001, 42",
        lim_chat_day_tokens: "-5",
        openai_model: "",
        welcome_text: "see javascript:alert(1)",
        token: "not-a-token",
      }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    const errorOf = (field: string) => new RegExp(`id="${field}-error"[^>]*>([^<]+)<`).exec(html)?.[1];
    expect(errorOf("name")).toBeTruthy();
    expect(errorOf("ai_memory_messages")).toMatch(/200/);
    expect(errorOf("ai_daily_quota")).toMatch(/whole number/);
    expect(errorOf("ai_group_allowlist")).toContain("&quot;42&quot; is not a group chat id");
    expect(errorOf("lim_chat_day_tokens")).toMatch(/whole number/);
    expect(errorOf("openai_model")).toBeTruthy();
    expect(errorOf("token")).toMatch(/Telegram bot token/);
    expect(html).toContain("Changed, but not saved");
    expect(html).toMatch(/name="ai_memory_messages" value="500"/);
    expect(html).not.toContain("not-a-token");
    const after = (await apiJson<Record<string, unknown>>(`/api/bots/${botId}`)).body;
    expect(after).toEqual(before);
  });

  it("a name another bot has is refused next to the name", async () => {
    const res = await post(full({ name: "Taken name" }));
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/id="name-error"[^>]*>A bot named &quot;Taken name&quot; already exists/);
  });

  it("a new token is checked with Telegram and replaces the old one", async () => {
    const next = fake.addBot(7303, "settings_new_bot");
    expect((await post(full({ token: next.token }))).status).toBe(303);
    const { body } = await apiJson<Record<string, unknown>>(`/api/bots/${botId}`);
    expect(body.username).toBe("settings_new_bot");
    const html = await (await page(`/admin/bots/${botId}`, { cookie: s.cookie })).text();
    expect(html).not.toContain(next.token.split(":")[1]);
  });
});
