import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH, splitText } from "../../src/lib/split-text";

describe("splitText", () => {
  it("leaves short text alone", () => {
    expect(splitText("hello")).toEqual(["hello"]);
    expect(splitText("")).toEqual([""]);
  });

  it("prefers paragraph, then line, then word boundaries", () => {
    const para = `${"a".repeat(30)}\n\n${"b".repeat(30)}`;
    expect(splitText(para, 40)).toEqual(["a".repeat(30), "b".repeat(30)]);
    const lines = `${"a".repeat(30)}\n${"b".repeat(30)}`;
    expect(splitText(lines, 40)).toEqual(["a".repeat(30), "b".repeat(30)]);
    const words = `${"a ".repeat(20)}end`;
    const parts = splitText(words, 10);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    expect(parts.join(" ")).toBe(words);
  });

  it("never cuts a surrogate pair", () => {
    const emoji = "😀".repeat(3000); // 6000 UTF-16 units, no spaces
    const parts = splitText(emoji);
    expect(parts.length).toBe(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(p.length % 2).toBe(0);
      expect([...p].every((ch) => ch === "😀")).toBe(true);
    }
    expect(parts.join("")).toBe(emoji);
  });

  it("splits 10,000 characters of prose into pieces that rebuild the text", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    let text = "";
    for (let i = 0; i < words.length; i++) text += words[i] + (i % 50 === 49 ? "\n\n" : i % 10 === 9 ? "\n" : " ");
    text = text.slice(0, 10_000);
    const parts = splitText(text);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    // every word survives, in order
    expect(parts.join(" ").split(/\s+/).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
  });
});
