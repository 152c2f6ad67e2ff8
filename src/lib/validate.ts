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
