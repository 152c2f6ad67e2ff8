// Staff accounts: creation, password checks, failed-login rate limiting, and the
// first admin of a fresh local install (DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD).
import { asc, count, eq } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import { staffUsers } from "../db/schema";
import type { Db, Env } from "../env";
import { hashPassword, sha256Hex, verifyPassword } from "./crypto";
import { AppError } from "./errors";

export type StaffRole = "staff" | "admin";
export type StaffRow = typeof staffUsers.$inferSelect;

/** After this many failures for one username from one address, logins wait out the window. */
export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_SECONDS = 15 * 60;

export const USERNAME_RE = /^[A-Za-z0-9_.@-]{2,64}$/;
export const MIN_PASSWORD_LENGTH = 8;

export function publicStaff(s: StaffRow) {
  return { id: s.id, username: s.username, role: s.role, is_active: s.isActive, last_login_at: s.lastLoginAt, created_at: s.createdAt };
}

export async function listStaff(db: Db): Promise<StaffRow[]> {
  return db.select().from(staffUsers).orderBy(asc(staffUsers.id)).all();
}

export async function createStaff(db: Db, input: { username: string; password: string; role: StaffRole }): Promise<StaffRow> {
  if (!USERNAME_RE.test(input.username)) throw new AppError("BAD_REQUEST", "Username must be 2-64 letters, digits or _.@-");
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("BAD_REQUEST", `Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const existing = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, input.username)).get();
  if (existing) throw new AppError("CONFLICT", `A staff account named "${input.username}" already exists`);
  const row = await db
    .insert(staffUsers)
    .values({ username: input.username, passwordHash: await hashPassword(input.password), role: input.role })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!row) throw new AppError("CONFLICT", `A staff account named "${input.username}" already exists`);
  return row;
}

/** On a fresh install with no staff at all, the local default admin from the environment. */
export async function ensureFirstAdmin(env: Env, db: Db): Promise<void> {
  if (!env.DEV_ADMIN_USERNAME || !env.DEV_ADMIN_PASSWORD) return;
  const row = await db.select({ n: count() }).from(staffUsers).get();
  if ((row?.n ?? 0) > 0) return;
  await db
    .insert(staffUsers)
    .values({ username: env.DEV_ADMIN_USERNAME, passwordHash: await hashPassword(env.DEV_ADMIN_PASSWORD), role: "admin" })
    .onConflictDoNothing();
}

const failKey = async (username: string, ip: string) => `login-fail:${await sha256Hex(`${username.toLowerCase()}\u0000${ip}`)}`;

interface FailRecord {
  n: number;
  first: number;
}

export type LoginResult = { ok: true; staff: StaffRow } | { ok: false; reason: "invalid" | "rate_limited"; retryAfter?: number };

/** Checks a login attempt; failures count against this username from this address. */
export async function authenticate(env: Env, db: Db, username: string, password: string, ip: string): Promise<LoginResult> {
  const key = await failKey(username, ip);
  const fails = await env.KV.get<FailRecord>(key, "json");
  const now = nowSeconds();
  if (fails && fails.n >= MAX_FAILED_LOGINS && now - fails.first < FAILED_LOGIN_WINDOW_SECONDS) {
    return { ok: false, reason: "rate_limited", retryAfter: FAILED_LOGIN_WINDOW_SECONDS - (now - fails.first) };
  }
  await ensureFirstAdmin(env, db);
  const staff = await db.select().from(staffUsers).where(eq(staffUsers.username, username)).get();
  // Hash even for an unknown user, so response time does not reveal which usernames exist.
  let good = false;
  if (staff) good = await verifyPassword(password, staff.passwordHash);
  else await hashPassword(password);
  if (!staff || !good || !staff.isActive) {
    const fresh = !fails || now - fails.first >= FAILED_LOGIN_WINDOW_SECONDS;
    const next: FailRecord = fresh ? { n: 1, first: now } : { n: fails.n + 1, first: fails.first };
    await env.KV.put(key, JSON.stringify(next), { expirationTtl: FAILED_LOGIN_WINDOW_SECONDS + 60 });
    return { ok: false, reason: "invalid" };
  }
  if (fails) await env.KV.delete(key);
  await db.update(staffUsers).set({ lastLoginAt: now }).where(eq(staffUsers.id, staff.id));
  return { ok: true, staff };
}
