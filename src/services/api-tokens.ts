// Per-person API tokens: 256 random bits behind a recognisable prefix, stored as their
// SHA-256 (a fast hash is enough for a secret with that much entropy), shown once.
import { desc, eq, sql } from "drizzle-orm";
import { nowSeconds } from "../db/client";
import { apiTokens } from "../db/schema";
import type { Db } from "../env";
import { randomToken, sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import type { Role } from "../lib/roles";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export const TOKEN_PREFIX = "tgp_";
/** last_used_at is written at most this often per token, not on every request. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

export function publicToken(t: ApiTokenRow) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    created_by: t.createdBy,
    created_at: t.createdAt,
    last_used_at: t.lastUsedAt,
    revoked_at: t.revokedAt,
    active: t.revokedAt === null,
  };
}

export async function listTokens(db: Db): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.id)).all();
}

/** Creates a token; the answer's `token` is the only time the secret exists outside the caller. */
export async function createToken(
  db: Db,
  input: { name: string; role: Role; createdBy: string },
): Promise<{ row: ApiTokenRow; token: string }> {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const row = await db
    .insert(apiTokens)
    .values({
      name: input.name,
      role: input.role,
      tokenHash: await sha256Hex(token),
      prefix: token.slice(0, 10),
      createdBy: input.createdBy,
    })
    .returning()
    .get();
  return { row, token };
}

export async function revokeToken(db: Db, id: number): Promise<ApiTokenRow> {
  const row = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `API token ${id} not found`);
  if (row.revokedAt !== null) return row;
  const updated = await db.update(apiTokens).set({ revokedAt: nowSeconds() }).where(eq(apiTokens.id, id)).returning().get();
  return updated ?? row;
}

/** The live token a bearer value belongs to, or null (unknown or revoked). */
export async function findLiveToken(db: Db, bearer: string): Promise<ApiTokenRow | null> {
  if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 100) return null;
  const row = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, await sha256Hex(bearer)))
    .get();
  return row && row.revokedAt === null ? row : null;
}

/** Records a use when the stored one is older than the resolution (one write a minute at most). */
export async function touchToken(db: Db, row: ApiTokenRow, now = nowSeconds()): Promise<boolean> {
  if (row.lastUsedAt !== null && now - row.lastUsedAt < LAST_USED_RESOLUTION_SECONDS) return false;
  // The condition again in SQL, so parallel requests of one token write once.
  const cutoff = now - LAST_USED_RESOLUTION_SECONDS;
  const res = await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(sql`${apiTokens.id} = ${row.id} AND (${apiTokens.lastUsedAt} IS NULL OR ${apiTokens.lastUsedAt} <= ${cutoff})`)
    .run();
  return (res.meta.changes ?? 0) > 0;
}
