// Reads the local D1 database file of a `wrangler dev` state directory directly with
// node:sqlite (Node 24), read-only: bytes per table and index (dbstat, which D1 itself does
// not expose), row counts, query plans and the time of a bare query, without the Worker.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** The D1 database file (the largest *.sqlite under v3/d1, metadata.sqlite aside). */
export function d1File(stateDir: string): string {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  const best = files.map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!best) throw new Error(`no D1 database file under ${dir}`);
  return best;
}

export function fileBytes(file: string): number {
  let n = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      n += statSync(file + suffix).size;
    } catch {
      // no WAL file
    }
  }
  return n;
}

export class SqliteFile {
  readonly db: DatabaseSync;
  constructor(readonly file: string) {
    this.db = new DatabaseSync(file, { readOnly: true });
  }

  /** Bytes of every table and index (pages in use), largest first. */
  bytesByName(): { name: string; bytes: number }[] {
    return (
      this.db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as {
        name: string;
        bytes: number;
      }[]
    ).map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  }

  count(table: string): number {
    return Number((this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  }

  plan(sql: string): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
  }

  /** Median time of a bare query (all rows read), after one warm-up. */
  time(sql: string, runs = 5): number {
    const stmt = this.db.prepare(sql);
    stmt.all();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      stmt.all();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }

  close() {
    this.db.close();
  }
}
