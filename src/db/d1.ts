// The generic D1 helpers every layer above db/ uses: statements for D1's own batch API.
// drizzle's db.batch cannot take raw `sql` queries that have parameters (its SQLiteRaw has
// no prepared statement to bind), and ingest is mostly hand-written upserts, so those are
// turned into D1 statements here.
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

const dialect = new SQLiteSyncDialect();

/** The D1 binding behind a drizzle client (drizzle keeps it as $client; Db's type leaves it out). */
export function d1Of(db: Db): D1Database {
  return (db as Db & { $client: D1Database }).$client;
}

/** A D1 prepared statement from a drizzle `sql` template (parameters bound, never spliced). */
export function stmt(db: Db, query: SQL): D1PreparedStatement {
  const { sql, params } = dialect.sqlToQuery(query);
  return d1Of(db)
    .prepare(sql)
    .bind(...params);
}

/** A D1 prepared statement from a drizzle query builder (insert/update/select). */
export function built(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1Of(db)
    .prepare(sql)
    .bind(...params);
}

/** Runs statements atomically (one D1 batch); answers each statement's result. */
export async function runBatch(db: Db, stmts: D1PreparedStatement[]): Promise<D1Result[]> {
  if (stmts.length === 0) return [];
  return d1Of(db).batch(stmts);
}
