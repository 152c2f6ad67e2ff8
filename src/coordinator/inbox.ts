// The bot's update inbox, in its coordinator's own SQLite storage. A webhook delivery
// (or the polling task) is done once accept() has written the update here: the row is the
// durable promise that the update will be handled. update_id is the dedupe key, so a
// redelivery of an accepted update is a duplicate, whatever state it is in.
//
// A row moves pending -> stored (its rows are in D1) -> done (its effects ran), or to
// dead (kept in dead_letters with its error until an operator replays or discards it).
// Done rows keep only their update_id, for dedupe, until they are pruned.

export type InboxState = "pending" | "stored" | "done" | "dead";

export interface InboxRow {
  seq: number;
  update_id: number;
  body: string;
  state: "pending" | "stored";
  chat_id: number | null;
  attempts: number;
  next_at: number;
}

export interface DeadLetter {
  update_id: number;
  stage: "pending" | "stored";
  attempts: number;
  error: string;
  dead_at: number;
  body: string;
}

/** Counter names kept by the coordinator (shown by the status endpoint). */
export const COUNTERS = ["received", "done", "duplicates", "redeliveries", "failures", "dead_lettered"] as const;
export type CounterName = (typeof COUNTERS)[number];

/** Telegram stops redelivering after about a day; done rows stay this long for dedupe. */
export const KEEP_DONE_MS = 7 * 24 * 3600 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  update_id INTEGER NOT NULL UNIQUE,
  body TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  chat_id INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  deliveries INTEGER NOT NULL DEFAULT 1,
  received_at INTEGER NOT NULL,
  done_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS inbox_state_seq ON inbox (state, seq);
CREATE INDEX IF NOT EXISTS inbox_done_at ON inbox (done_at) WHERE state = 'done';
CREATE TABLE IF NOT EXISTS dead_letters (
  update_id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT NOT NULL,
  dead_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS inbox_meta (k TEXT PRIMARY KEY, v TEXT);
`;

export class Inbox {
  constructor(readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /**
   * Writes an update into the inbox; answers whether it was new. A repeat only counts
   * as a delivery. Synchronous: the write is durable before the caller's answer leaves
   * (the Durable Object's output gate holds the answer until storage confirms it).
   */
  accept(updateId: number, body: string, chatId: number | null, now: number): { duplicate: boolean } {
    const row = this.sql
      .exec<{ deliveries: number }>(
        `INSERT INTO inbox (update_id, body, chat_id, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (update_id) DO UPDATE SET deliveries = deliveries + 1 RETURNING deliveries`,
        updateId,
        body,
        chatId,
        now,
      )
      .one();
    const duplicate = row.deliveries > 1;
    this.bump(duplicate ? "duplicates" : "received");
    return { duplicate };
  }

  /** Pending rows due now, in arrival order, up to `limit` rows and about `maxBytes` of bodies (always at least one). */
  pending(now: number, limit: number, maxBytes: number): InboxRow[] {
    const rows: InboxRow[] = [];
    let bytes = 0;
    const cursor = this.sql.exec<InboxRow & Record<string, SqlStorageValue>>(
      `SELECT seq, update_id, body, state, chat_id, attempts, next_at FROM inbox
       WHERE state = 'pending' ORDER BY seq LIMIT ?`,
      limit,
    );
    for (const r of cursor) {
      // A row waiting out its backoff does not hold back the others: handling order per
      // chat is kept by the handling step (see unhandled()).
      if (r.next_at > now) continue;
      bytes += r.body.length;
      if (rows.length > 0 && bytes > maxBytes) break;
      rows.push(r);
    }
    return rows;
  }

  /** Rows not yet handled (pending or stored), in arrival order, without their bodies (see body()). */
  unhandled(limit: number): Omit<InboxRow, "body">[] {
    return this.sql
      .exec<Omit<InboxRow, "body"> & Record<string, SqlStorageValue>>(
        `SELECT seq, update_id, state, chat_id, attempts, next_at FROM inbox WHERE state IN ('pending', 'stored')
         ORDER BY seq LIMIT ?`,
        limit,
      )
      .toArray();
  }

  body(updateId: number): string | null {
    return this.sql.exec<{ body: string | null }>("SELECT body FROM inbox WHERE update_id = ?", updateId).toArray()[0]?.body ?? null;
  }

  markStored(updateIds: number[]): void {
    if (updateIds.length === 0) return;
    this.sql.exec(
      "UPDATE inbox SET state = 'stored', attempts = 0, next_at = 0 WHERE state = 'pending' AND update_id IN (SELECT value FROM json_each(?))",
      JSON.stringify(updateIds),
    );
  }

  markDone(updateIds: number[], now: number): void {
    if (updateIds.length === 0) return;
    this.sql.exec(
      `UPDATE inbox SET state = 'done', body = NULL, done_at = ?, last_error = NULL
       WHERE state IN ('pending', 'stored') AND update_id IN (SELECT value FROM json_each(?))`,
      now,
      JSON.stringify(updateIds),
    );
    // changes(), not rowsWritten: the latter counts index rows too.
    const changed = Number(this.sql.exec<{ n: number }>("SELECT changes() AS n").one().n);
    if (changed > 0) this.bump("done", changed);
  }

  /**
   * A failed attempt: counted (unless it was not the update's fault), with its error and the
   * time it may be tried again, `retryAt(attempts)`. Answers the attempts so far.
   */
  markFailed(updateId: number, error: string, retryAt: (attempts: number) => number, countAttempt: boolean): number {
    const row = this.sql
      .exec<{ attempts: number }>(
        "UPDATE inbox SET attempts = attempts + ?, last_error = ? WHERE update_id = ? RETURNING attempts",
        countAttempt ? 1 : 0,
        error.slice(0, 500),
        updateId,
      )
      .toArray()[0];
    const attempts = row?.attempts ?? 0;
    this.sql.exec("UPDATE inbox SET next_at = ? WHERE update_id = ?", retryAt(attempts), updateId);
    this.bump("failures");
    this.setMeta("last_error", JSON.stringify({ update_id: updateId, error: error.slice(0, 500), at: Date.now() }));
    return attempts;
  }

  /** A retry of an update whose earlier attempt failed (or was cut short). */
  noteRetry(): void {
    this.bump("redeliveries");
  }

  /** Moves an update that keeps failing on its own out of the way, with its error. */
  deadLetter(updateId: number, error: string, now: number): void {
    const row = this.sql
      .exec<{ body: string; state: string; attempts: number }>(
        "SELECT body, state, attempts FROM inbox WHERE update_id = ? AND state IN ('pending', 'stored')",
        updateId,
      )
      .toArray()[0];
    if (!row) return;
    this.sql.exec(
      "INSERT OR REPLACE INTO dead_letters (update_id, stage, attempts, error, dead_at, body) VALUES (?, ?, ?, ?, ?, ?)",
      updateId,
      row.state,
      row.attempts,
      error.slice(0, 2000),
      now,
      row.body,
    );
    this.sql.exec("UPDATE inbox SET state = 'dead', body = NULL WHERE update_id = ?", updateId);
    this.bump("dead_lettered");
  }

  /** One update's row (without its body). */
  find(updateId: number) {
    return (
      this.sql
        .exec<{
          update_id: number;
          state: string;
          attempts: number;
          deliveries: number;
          received_at: number;
          done_at: number | null;
          last_error: string | null;
        }>("SELECT update_id, state, attempts, deliveries, received_at, done_at, last_error FROM inbox WHERE update_id = ?", updateId)
        .toArray()[0] ?? null
    );
  }

  deadLetters(limit = 100): DeadLetter[] {
    return this.sql
      .exec<DeadLetter & Record<string, SqlStorageValue>>(
        "SELECT update_id, stage, attempts, error, dead_at, body FROM dead_letters ORDER BY dead_at, update_id LIMIT ?",
        limit,
      )
      .toArray();
  }

  /** Puts a dead letter back in line (at the end), with its attempts reset. False when there is none. */
  replay(updateId: number): boolean {
    const d = this.sql
      .exec<DeadLetter & Record<string, SqlStorageValue>>("SELECT * FROM dead_letters WHERE update_id = ?", updateId)
      .toArray()[0];
    if (!d) return false;
    const received = this.sql
      .exec<{ received_at: number; chat_id: number | null }>("SELECT received_at, chat_id FROM inbox WHERE update_id = ?", updateId)
      .toArray()[0];
    // A new seq puts it after everything accepted meanwhile.
    this.sql.exec("DELETE FROM inbox WHERE update_id = ?", updateId);
    this.sql.exec(
      "INSERT INTO inbox (update_id, body, state, chat_id, received_at) VALUES (?, ?, ?, ?, ?)",
      updateId,
      d.body,
      d.stage,
      received?.chat_id ?? null,
      received?.received_at ?? Date.now(),
    );
    this.sql.exec("DELETE FROM dead_letters WHERE update_id = ?", updateId);
    return true;
  }

  /** Drops a dead letter for good (the update stays known, so a redelivery is a duplicate). */
  discard(updateId: number, now: number): boolean {
    const gone = this.sql.exec("DELETE FROM dead_letters WHERE update_id = ?", updateId).rowsWritten > 0;
    if (gone) this.sql.exec("UPDATE inbox SET state = 'done', done_at = ? WHERE update_id = ?", now, updateId);
    return gone;
  }

  /** Forgets every update not yet handled (the bot is gone): answers how many. */
  dropUnhandled(now: number): number {
    return this.sql.exec("UPDATE inbox SET state = 'done', body = NULL, done_at = ? WHERE state IN ('pending', 'stored')", now).rowsWritten;
  }

  /** Deletes done rows older than KEEP_DONE_MS, a bounded number at a time. */
  prune(now: number, max = 1000): number {
    return this.sql.exec(
      `DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE state = 'done' AND done_at < ? ORDER BY done_at LIMIT ?)`,
      now - KEEP_DONE_MS,
      max,
    ).rowsWritten;
  }

  /** The earliest time some pending or stored row may be tried (null when there is nothing to do). */
  nextDue(): number | null {
    const r = this.sql.exec<{ t: number | null }>("SELECT min(next_at) AS t FROM inbox WHERE state IN ('pending', 'stored')").one();
    return r.t === null ? null : Number(r.t);
  }

  stats(now: number) {
    const depth = this.sql
      .exec<{ pending: number; stored: number; oldest: number | null; last: number | null }>(
        `SELECT coalesce(sum(state = 'pending'), 0) AS pending, coalesce(sum(state = 'stored'), 0) AS stored,
           min(CASE WHEN state IN ('pending', 'stored') THEN received_at END) AS oldest, max(received_at) AS last FROM inbox`,
      )
      .one();
    const dead = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM dead_letters").one().n;
    const lastError = this.getMeta("last_error");
    return {
      depth: Number(depth.pending) + Number(depth.stored),
      pending: Number(depth.pending),
      stored_unhandled: Number(depth.stored),
      oldest_pending_age_ms: depth.oldest === null ? null : Math.max(0, now - Number(depth.oldest)),
      last_received_at: depth.last === null ? null : Number(depth.last),
      dead_letters: Number(dead),
      last_error: lastError ? (JSON.parse(lastError) as { update_id: number; error: string; at: number }) : null,
      counters: this.counters(),
    };
  }

  counters(): Record<CounterName, number> {
    const out = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
    for (const r of this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters")) {
      if ((COUNTERS as readonly string[]).includes(r.name)) out[r.name as CounterName] = Number(r.value);
    }
    return out;
  }

  bump(name: CounterName, by = 1): void {
    this.sql.exec(
      "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
      name,
      by,
    );
  }

  getMeta(k: string): string | null {
    return this.sql.exec<{ v: string | null }>("SELECT v FROM inbox_meta WHERE k = ?", k).toArray()[0]?.v ?? null;
  }

  setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO inbox_meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v);
  }
}
