// zod at the edge: every body, query and path parameter goes through here, so a
// bad input is always a 400 with the reasons, before anything is written.
import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "./errors";

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what = "request"): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = issuesOf(r.error);
    const first = issues[0];
    const summary = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid";
    throw new AppError("BAD_REQUEST", `Invalid ${what}: ${summary}`, { issues });
  }
  return r.data;
}

/** Reads a JSON body (415 if it is not JSON, 400 if it does not parse or validate). */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Expected a JSON body (Content-Type: application/json)");
  }
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new AppError("BAD_REQUEST", "Body is not valid JSON");
  }
  return parseWith(schema, raw, "body");
}

export function queryOf<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  return parseWith(schema, c.req.query(), "query");
}

/** A positive integer path parameter (ids), or 404: an id that cannot exist is simply not found. */
export function idParam(c: Context, name: string, what = "Resource"): number {
  const raw = c.req.param(name) ?? "";
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new AppError("NOT_FOUND", `${what} ${raw} not found`);
  return n;
}

/** A Telegram chat id path parameter (may be negative), or 404. */
export function chatIdParam(c: Context, name = "chat_id"): number {
  const raw = c.req.param(name) ?? "";
  const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new AppError("NOT_FOUND", `Chat ${raw} not found`);
  return n;
}

export const zBool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);

// URLs people store or send (content links, webhook URLs, photo/document URLs) are http(s)
// only: a javascript:, data:, vbscript: or file: link would run or read something when a
// page or a client opens it. One rule, used by every schema that takes a URL.
const HTTP_PROTOCOLS = new Set(["http:", "https:"]);
const SCHEME = /^\s*([a-z][a-z0-9+.-]*):/i;

/** True when `raw` parses as an absolute http: or https: URL with a host. */
export function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return HTTP_PROTOCOLS.has(u.protocol) && u.hostname !== "";
  } catch {
    return false;
  }
}

/** Why a URL is refused, or null when it is an http(s) URL. */
export function httpUrlProblem(raw: string): string | null {
  if (isHttpUrl(raw)) return null;
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme && scheme !== "http" && scheme !== "https") return `${scheme}: links are not allowed; use an http(s) URL`;
  return "must be an absolute http(s) URL";
}

/** A stored or sent URL: trimmed, at most 2048 characters, http(s) only. */
export const zHttpUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = httpUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Why a photo/document reference is refused: a Telegram file_id or an http(s) URL only. */
function fileRefProblem(v: string): string | null {
  if (/^[A-Za-z0-9_-]+$/.test(v)) return null;
  const problem = httpUrlProblem(v);
  return problem ? `a Telegram file_id or an http(s) URL: ${problem}` : null;
}

/**
 * A photo or document to send: a Telegram file_id (letters, digits, "_" and "-") or an
 * http(s) URL Telegram fetches. Anything with another scheme is refused.
 */
export const zFileRef = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = fileRefProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** zFileRef for a form field that may be left empty. */
export const zFileRefOrEmpty = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = v === "" ? null : fileRefProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** `href` for a stored URL, or undefined when it is not http(s) (defence in depth for views). */
export function safeHref(raw: string | null | undefined): string | undefined {
  return raw && isHttpUrl(raw) ? raw : undefined;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Why a webhook URL is refused, or null. Telegram only calls https; plain http is allowed
 * for loopback hosts (a local fake Bot API) and the configured PUBLIC_BASE_URL origin.
 */
export function webhookUrlProblem(raw: string, publicBaseUrl?: string): string | null {
  const problem = httpUrlProblem(raw);
  if (problem) return problem;
  const u = new URL(raw);
  if (u.protocol === "https:") return null;
  if (LOOPBACK.has(u.hostname)) return null;
  if (publicBaseUrl && isHttpUrl(publicBaseUrl) && new URL(publicBaseUrl).origin === u.origin) return null;
  return "must be https (plain http only for localhost or the PUBLIC_BASE_URL origin)";
}

// D1 refuses LIKE patterns longer than 50 bytes ("LIKE or GLOB pattern too complex"), so a
// text search term is bounded before it becomes a pattern: the pattern adds two "%" and a
// "\" per escaped character.
export const LIKE_PATTERN_MAX_BYTES = 50;

/** The LIKE pattern matching `q` literally anywhere ("%", "_" and "\" escaped with "\"). */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** Why a search term is refused, or null when its pattern fits D1's limit. */
export function searchTermProblem(q: string): string | null {
  const bytes = new TextEncoder().encode(containsPattern(q)).length;
  return bytes > LIKE_PATTERN_MAX_BYTES
    ? `search text is too long (at most ${LIKE_PATTERN_MAX_BYTES - 2} bytes, fewer with %, _ or \\ or non-ASCII letters)`
    : null;
}

/** A `?q=` search term whose LIKE pattern D1 accepts. */
export const zSearchTerm = z.string().superRefine((v, ctx) => {
  const problem = searchTermProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A form field that may be left empty ("") or hold an http(s) URL. */
export const zHttpUrlOrEmpty = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = v === "" ? null : httpUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

// Links inside a text sent with Markdown or HTML parse modes ([label](url), <a href="url">):
// http(s), plus tg: (Telegram's own deep links such as tg://user?id=…); any other scheme
// (javascript:, data:, vbscript:, file: …) is refused. HTML entities are decoded first, as
// Telegram's HTML parser does, so "&#106;avascript:" is caught too.
const INLINE_LINK_SCHEMES = new Set(["http", "https", "tg"]);
const MD_LINK = /\]\(([^)]*)/g;
const HTML_HREF = /href\s*=\s*(?:"([^"]*)|'([^']*)|([^\s>]+))/gi;

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16) % 0x110000))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d) % 0x110000))
    .replace(/&colon;/gi, ":")
    .replace(/&tab;|&newline;/gi, "");
}

/** Why a text's inline links are refused, or null. */
export function inlineLinkProblem(text: string): string | null {
  for (const re of [MD_LINK, HTML_HREF]) {
    for (const m of text.matchAll(re)) {
      const raw = m[1] ?? m[2] ?? m[3] ?? "";
      // Tabs and newlines inside a scheme are dropped by URL parsers ("java\tscript:"); spaces are
      // kept, so "[1](see page 2: intro)" in plain prose is not mistaken for a scheme.
      const target = [...decodeEntities(raw)].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch !== "<").join("");
      const scheme = SCHEME.exec(target)?.[1]?.toLowerCase();
      if (scheme && !INLINE_LINK_SCHEMES.has(scheme)) return `${scheme}: links are not allowed in the text; use an http(s) URL`;
    }
  }
  return null;
}

/** Refines a text schema so its inline links are http(s) or tg: only. */
export function withSafeLinks<T extends z.ZodType<string | null | undefined>>(schema: T) {
  return schema.superRefine((v, ctx) => {
    const problem = typeof v === "string" ? inlineLinkProblem(v) : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
