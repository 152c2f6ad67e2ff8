import { describe, expect, it } from "vitest";
import { isWebhookDelivery } from "../../src/app";

const req = (method: string, url: string) => new Request(url, { method });

describe("isWebhookDelivery (the entry point's fast path for Telegram's deliveries)", () => {
  it("takes a POST to /telegram/webhook/{bot_id}/, with or without the slash or a query", () => {
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/12/"))).toBe(true);
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/12"))).toBe(true);
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/12/?x=1"))).toBe(true);
    expect(isWebhookDelivery(req("POST", "http://127.0.0.1:8787/telegram/webhook/abc/"))).toBe(true);
  });

  it("leaves everything else to the full app", () => {
    expect(isWebhookDelivery(req("GET", "https://p.test/telegram/webhook/12/"))).toBe(false);
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/12/set/"))).toBe(false);
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/12/delete"))).toBe(false);
    expect(isWebhookDelivery(req("POST", "https://p.test/telegram/webhook/"))).toBe(false);
    expect(isWebhookDelivery(req("POST", "https://p.test/x/telegram/webhook/12/"))).toBe(false);
    expect(isWebhookDelivery(req("POST", "https://p.test/api/bots?next=/telegram/webhook/1/"))).toBe(false);
  });
});
