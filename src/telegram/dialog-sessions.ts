// Multi-step dialog state per (bot, chat, user). D1 (sessions) is the durable copy and
// the truth; KV is the fast copy read first. Both expire: D1 by expires_at (checked on
// read, swept by purgeExpired), KV by its own TTL. Writes go to D1 first, so a KV
// failure never loses state; a missing or stale KV copy falls back to D1.
import { sql } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import type { Db, Env } from "../env";

export const DEFAULT_SESSION_TTL = 15 * 60;
// KV refuses expirationTtl below 60 seconds.
const KV_MIN_TTL = 60;

export interface SessionKey {
  botId: number;
  chatId: number;
  userId: number;
}

export interface DialogSession {
  /** Which dialog is waiting for the user's next message (e.g. "feedback"). */
  dialog?: string;
  [k: string]: unknown;
}

interface Stored {
  data: DialogSession;
  expiresAt: number;
}

const kvKey = (k: SessionKey) => `dialog:${k.botId}:${k.chatId}:${k.userId}`;

export async function getSession(env: Pick<Env, "KV">, db: Db, key: SessionKey): Promise<DialogSession | null> {
  const now = nowSeconds();
  try {
    const fast = await env.KV.get<Stored>(kvKey(key), "json");
    if (fast) return fast.expiresAt > now ? fast.data : null;
  } catch {
    // KV trouble: fall through to D1.
  }
  const row = await db.get<{ data: string; expires_at: number } | undefined>(sql`
    SELECT data, expires_at FROM sessions
    WHERE bot_id = ${key.botId} AND chat_id = ${key.chatId} AND user_id = ${key.userId} AND expires_at > ${now}`);
  if (!row) return null;
  try {
    return JSON.parse(row.data) as DialogSession;
  } catch {
    return null;
  }
}

export async function setSession(
  env: Pick<Env, "KV">,
  db: Db,
  key: SessionKey,
  data: DialogSession,
  ttlSeconds = DEFAULT_SESSION_TTL,
): Promise<void> {
  const now = nowSeconds();
  const expiresAt = now + ttlSeconds;
  await db.run(sql`
    INSERT INTO sessions (bot_id, chat_id, user_id, data, expires_at, updated_at)
    VALUES (${key.botId}, ${key.chatId}, ${key.userId}, ${JSON.stringify(data)}, ${expiresAt}, ${now})
    ON CONFLICT (bot_id, chat_id, user_id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
      updated_at = excluded.updated_at`);
  const stored: Stored = { data, expiresAt };
  await env.KV.put(kvKey(key), JSON.stringify(stored), { expirationTtl: Math.max(KV_MIN_TTL, ttlSeconds) }).catch(() => undefined);
}

export async function clearSession(env: Pick<Env, "KV">, db: Db, key: SessionKey): Promise<void> {
  await db.run(sql`DELETE FROM sessions WHERE bot_id = ${key.botId} AND chat_id = ${key.chatId} AND user_id = ${key.userId}`);
  await env.KV.delete(kvKey(key)).catch(() => undefined);
}

/** Deletes expired rows (for a cron); answers how many went. */
export async function purgeExpiredSessions(db: Db): Promise<number> {
  const r = await db.run(sql`DELETE FROM sessions WHERE expires_at <= ${nowSeconds()}`);
  return r.meta.changes ?? 0;
}
