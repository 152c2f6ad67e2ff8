import { describe, expect, it } from "vitest";
import { assertUpdateShape, shapeProblem } from "../../src/telegram/ingest/shape";

const fixtures = import.meta.glob<{ default: { update_id: number } & Record<string, unknown> }>("../fixtures/telegram-updates/*.json", {
  eager: true,
});

describe("update shape check", () => {
  it("accepts every real Telegram payload in the fixtures, unknown kinds included", () => {
    const names = Object.keys(fixtures);
    expect(names.length).toBeGreaterThanOrEqual(17);
    for (const [name, mod] of Object.entries(fixtures)) expect(shapeProblem(mod.default), name).toBeNull();
  });

  it("refuses a known kind without what ingest needs, naming the field", () => {
    const cases: [unknown, RegExp][] = [
      [{ message: { message_id: 1, chat: { id: 5, type: "private" } } }, /message\.date/],
      [{ message: { message_id: 1, date: 1, chat: { id: { x: 1 }, type: "private" } } }, /message\.chat\.id/],
      [{ message: { message_id: 1, date: 1, chat: { id: 5, type: "group", title: ["a", "b"] } } }, /message\.chat\.title/],
      [{ message: { message_id: 1, date: 1, chat: { id: 5, type: "private" }, text: 42 } }, /message\.text/],
      [{ callback_query: { id: "q", data: "x" } }, /callback_query\.from/],
      [{ callback_query: { id: "q", from: { id: 1, is_bot: false, first_name: "A" }, data: 7 } }, /callback_query\.data/],
      [{ chat_member: { from: { id: 1, is_bot: false, first_name: "A" }, date: 1 } }, /chat_member\.chat/],
      [{ edited_message: { message_id: 1, date: -5, chat: { id: 5, type: "private" } } }, /edited_message\.date/],
    ];
    for (const [payload, reason] of cases) {
      const update = { update_id: 1, ...(payload as object) };
      expect(() => assertUpdateShape(update), JSON.stringify(payload)).toThrow(reason);
    }
  });

  it("leaves kinds it does not know alone", () => {
    expect(shapeProblem({ update_id: 1, business_message: { anything: [1, 2] } })).toBeNull();
  });
});
