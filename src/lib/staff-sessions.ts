// Staff sessions live in KV under an unguessable id; the cookie holds only that id.
import type { Principal } from "../env";
import { randomToken } from "./crypto";

export const SESSION_COOKIE = "tgp_session";
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface StaffSession {
  staffId: number;
  username: string;
  role: "staff" | "admin";
  csrf: string;
  expiresAt: number;
}

const key = (id: string) => `staff-session:${id}`;

export async function createStaffSession(
  kv: KVNamespace,
  staff: { id: number; username: string; role: "staff" | "admin" },
): Promise<{ id: string; session: StaffSession }> {
  const id = randomToken(32);
  const session: StaffSession = {
    staffId: staff.id,
    username: staff.username,
    role: staff.role,
    csrf: randomToken(24),
    expiresAt: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS,
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

export async function deleteStaffSession(kv: KVNamespace, id: string | undefined): Promise<void> {
  if (id) await kv.delete(key(id));
}

export function sessionPrincipal(s: StaffSession): Principal {
  return { kind: "staff", staffId: s.staffId, username: s.username, role: s.role };
}
