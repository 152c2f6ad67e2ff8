// Staff sessions live in KV under an unguessable id; the cookie holds only that id.
// Each session carries its account's session epoch; every request checks it against D1
// (strongly consistent, unlike KV), so deactivating, deleting, re-roling or changing
// the password of an account ends its sessions at once.
import { eq } from "drizzle-orm";
import { staffUsers } from "../db/schema";
import type { Db, Principal } from "../env";
import { randomToken } from "../lib/crypto";
import type { Role } from "../lib/roles";

export const SESSION_COOKIE = "tgp_session";
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface StaffSession {
  staffId: number;
  username: string;
  role: Role;
  csrf: string;
  expiresAt: number;
  /** The account's session_epoch when the session was made (absent: 0). */
  epoch?: number;
}

const key = (id: string) => `staff-session:${id}`;

export async function createStaffSession(
  kv: KVNamespace,
  staff: { id: number; username: string; role: Role; sessionEpoch?: number },
): Promise<{ id: string; session: StaffSession }> {
  const id = randomToken(32);
  const session: StaffSession = {
    staffId: staff.id,
    username: staff.username,
    role: staff.role,
    csrf: randomToken(24),
    expiresAt: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS,
    epoch: staff.sessionEpoch ?? 0,
  };
  await kv.put(key(id), JSON.stringify(session), { expirationTtl: SESSION_TTL_SECONDS });
  return { id, session };
}

export async function readStaffSession(kv: KVNamespace, id: string | undefined): Promise<StaffSession | null> {
  if (!id || !/^[A-Za-z0-9_-]{20,80}$/.test(id)) return null;
  const session = await kv.get<StaffSession>(key(id), "json");
  if (!session || session.expiresAt < Math.floor(Date.now() / 1000)) return null;
  return session;
}

/** The session's principal if its account still exists, is active and has the same epoch. */
export async function liveSessionPrincipal(db: Db, s: StaffSession): Promise<Principal | null> {
  const row = await db
    .select({ role: staffUsers.role, isActive: staffUsers.isActive, epoch: staffUsers.sessionEpoch, username: staffUsers.username })
    .from(staffUsers)
    .where(eq(staffUsers.id, s.staffId))
    .get();
  if (!row?.isActive || row.epoch !== (s.epoch ?? 0)) return null;
  return { kind: "staff", staffId: s.staffId, username: row.username, role: row.role };
}

export async function deleteStaffSession(kv: KVNamespace, id: string | undefined): Promise<void> {
  if (id) await kv.delete(key(id));
}
