// Token encryption (AES-256-GCM), fingerprints (HMAC-SHA-256), password hashing
// (PBKDF2) and constant-time comparison, all on WebCrypto.
import { AppError } from "./errors";

const enc = new TextEncoder();
const dec = new TextDecoder();

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function randomToken(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  // url-safe base64 without padding: valid as a Telegram secret_token (A-Za-z0-9_-).
  return toBase64(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  // Every code unit of the longer string is compared, whatever differs first (no early exit).
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i % (a.length || 1)) | 0) ^ (b.charCodeAt(i % (b.length || 1)) | 0);
  return diff === 0;
}

export async function sha256Hex(input: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", enc.encode(input)));
}

// Keys are derived with HKDF from TOKEN_ENCRYPTION_KEY, one per purpose, and cached per isolate.
const keyCache = new Map<string, Promise<CryptoKey>>();

function deriveKey(secret: string, purpose: "encrypt" | "fingerprint"): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
      const params = { name: "HKDF", hash: "SHA-256", salt: enc.encode("telegram-platform"), info: enc.encode(purpose) };
      return purpose === "encrypt"
        ? crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
        : crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    })();
    keyCache.set(cacheKey, key);
  }
  return key;
}

function requireKey(secret: string | undefined): string {
  if (!secret || secret.length < 16) {
    throw new AppError("INTERNAL", "TOKEN_ENCRYPTION_KEY is not configured (at least 16 characters are required)");
  }
  return secret;
}

export async function encryptSecret(plaintext: string, keySecret: string | undefined): Promise<string> {
  const key = await deriveKey(requireKey(keySecret), "encrypt");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(plaintext)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return `v1:${toBase64(out)}`;
}

export async function decryptSecret(ciphertext: string, keySecret: string | undefined): Promise<string> {
  const key = await deriveKey(requireKey(keySecret), "encrypt");
  if (!ciphertext.startsWith("v1:")) throw new AppError("INTERNAL", "Unknown ciphertext format");
  const raw = fromBase64(ciphertext.slice(3));
  try {
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: raw.slice(0, 12) }, key, raw.slice(12));
    return dec.decode(pt);
  } catch (cause) {
    throw new AppError("INTERNAL", "A stored bot token could not be decrypted (was TOKEN_ENCRYPTION_KEY changed?)", undefined, { cause });
  }
}

/** A keyed fingerprint of a secret: equal secrets give equal fingerprints, and it reveals nothing. */
export async function fingerprint(value: string, keySecret: string | undefined): Promise<string> {
  const key = await deriveKey(requireKey(keySecret), "fingerprint");
  return toHex(await crypto.subtle.sign("HMAC", key, enc.encode(value)));
}

const PBKDF2_ITERATIONS = 100_000; // workerd caps PBKDF2 at 100k iterations.

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, saltB64, hashB64] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !iter || !saltB64 || !hashB64) return false;
  const hash = await pbkdf2(password, fromBase64(saltB64), Number(iter));
  return timingSafeEqual(toBase64(hash), hashB64);
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}
