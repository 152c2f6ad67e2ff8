// Staff accounts: creation, password checks, failed-login rate limiting, and the
// first admin of a fresh local install (DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD).
import { and, asc, count, eq, sql } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import { staffUsers } from "../db/schema";
import type { Db, Env } from "../env";
import { hashPassword, sha256Hex, verifyPassword } from "../lib/crypto";
import { AppError } from "../lib/errors";
import type { Role } from "../lib/roles";

export type StaffRole = Role;
export type StaffRow = typeof staffUsers.$inferSelect;

/** After this many failures for one username from one address, logins wait out the window. */
export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_SECONDS = 15 * 60;

export const USERNAME_RE = /^[A-Za-z0-9_.@-]{2,64}$/;
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Attempts (right or wrong) that reach the password check per minute, counted by the
 * Workers Rate Limiting bindings in wrangler.toml: LOGIN_ADDRESS_LIMITER per address,
 * LOGIN_USERNAME_LIMITER per username across addresses. Kept equal to wrangler.toml.
 */
export const LOGIN_LIMITS = { perAddress: 20, perUsername: 10, periodSeconds: 60 } as const;

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

/** An update of a staff account; any change ends the account's sessions (its epoch moves on). */
export async function updateStaff(
  db: Db,
  id: number,
  change: { isActive?: boolean; password?: string; role?: StaffRole },
): Promise<StaffRow> {
  const row = await requireStaff(db, id);
  if (change.password !== undefined && change.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("BAD_REQUEST", `Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const set: Partial<typeof staffUsers.$inferInsert> = { sessionEpoch: sql`${staffUsers.sessionEpoch} + 1` as unknown as number };
  if (change.isActive !== undefined) set.isActive = change.isActive;
  if (change.role !== undefined) set.role = change.role;
  if (change.password !== undefined) set.passwordHash = await hashPassword(change.password);
  const removesAdmin = row.role === "admin" && row.isActive && (change.isActive === false || (change.role ?? "admin") !== "admin");
  const updated = await db
    .update(staffUsers)
    .set(set)
    .where(removesAdmin ? and(eq(staffUsers.id, id), otherActiveAdminExists(id)) : eq(staffUsers.id, id))
    .returning()
    .get();
  if (!updated) throw lastAdmin();
  return updated;
}

/** Deletes an account (its sessions end with it: they no longer find their row). */
export async function deleteStaff(db: Db, id: number): Promise<StaffRow> {
  const row = await requireStaff(db, id);
  const removesAdmin = row.role === "admin" && row.isActive;
  const deleted = await db
    .delete(staffUsers)
    .where(removesAdmin ? and(eq(staffUsers.id, id), otherActiveAdminExists(id)) : eq(staffUsers.id, id))
    .returning()
    .get();
  if (!deleted) throw lastAdmin();
  return deleted;
}

export async function requireStaff(db: Db, id: number): Promise<StaffRow> {
  const row = await db.select().from(staffUsers).where(eq(staffUsers.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Staff account ${id} not found`);
  return row;
}

// In the same statement as the change, so two admins removing each other at once cannot
// both succeed (SQLite runs one write at a time).
const otherActiveAdminExists = (id: number) =>
  sql`(SELECT count(*) FROM staff_users o WHERE o.role = 'admin' AND o.is_active = 1 AND o.id <> ${id}) > 0`;

const lastAdmin = () => new AppError("CONFLICT", "This is the last active admin: make another account admin first");

/** Whether this login attempt is over the per-address or per-username limit (both are counted). */
async function overLoginLimit(env: Env, username: string, ip: string): Promise<boolean> {
  const checks: Promise<{ success: boolean }>[] = [];
  if (env.LOGIN_ADDRESS_LIMITER) checks.push(env.LOGIN_ADDRESS_LIMITER.limit({ key: `address:${ip}` }));
  if (env.LOGIN_USERNAME_LIMITER) checks.push(env.LOGIN_USERNAME_LIMITER.limit({ key: `username:${username.toLowerCase()}` }));
  const results = await Promise.all(checks);
  return results.some((r) => !r.success);
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
  // The KV counter above is a read-modify-write: parallel guesses all read the same count.
  // The rate limiting bindings count atomically, so at most their limit reach the hash.
  if (await overLoginLimit(env, username, ip)) {
    return { ok: false, reason: "rate_limited", retryAfter: LOGIN_LIMITS.periodSeconds };
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
