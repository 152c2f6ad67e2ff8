import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  fingerprint,
  hashPassword,
  randomToken,
  timingSafeEqual,
  verifyPassword,
} from "../../src/lib/crypto";
import { redact } from "../../src/lib/log";

const KEY = "unit-test-key-0123456789abcdef";

describe("crypto", () => {
  it("round-trips a token through AES-GCM with a fresh IV each time", async () => {
    const token = "123456:AAEabcdefghijklmnopqrstuvwxyz012345";
    const a = await encryptSecret(token, KEY);
    const b = await encryptSecret(token, KEY);
    expect(a).not.toContain(token);
    expect(a).not.toBe(b);
    expect(await decryptSecret(a, KEY)).toBe(token);
    await expect(decryptSecret(a, "another-key-0123456789abcdef")).rejects.toThrow(/could not be decrypted/);
  });

  it("refuses to work without a key", async () => {
    await expect(encryptSecret("x", undefined)).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it("fingerprints deterministically", async () => {
    expect(await fingerprint("a", KEY)).toBe(await fingerprint("a", KEY));
    expect(await fingerprint("a", KEY)).not.toBe(await fingerprint("b", KEY));
  });

  it("hashes and verifies passwords", async () => {
    const h = await hashPassword("correct horse", 1000);
    expect(h.startsWith("pbkdf2-sha256$1000$")).toBe(true);
    expect(await verifyPassword("correct horse", h)).toBe(true);
    expect(await verifyPassword("wrong", h)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });

  it("compares in constant time and gets the answer right", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
    expect(timingSafeEqual("", "a")).toBe(false);
  });

  it("makes secret tokens Telegram accepts", () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{40,256}$/);
  });

  it("redacts bot tokens and secret-named fields from log records", () => {
    const out = JSON.stringify(
      redact({
        msg: "calling https://x/bot123456:AAEabcdefghijklmnopqrstuvwxyz012345/getMe",
        authorization: "Bearer abc",
        nested: { api_key: "k" },
      }),
    );
    expect(out).not.toContain("AAEabcdefghijklmnopqrstuvwxyz012345");
    expect(out).not.toContain("Bearer abc");
    expect(out).not.toContain('"k"');
  });
});
