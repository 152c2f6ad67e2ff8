// The effects journal: every Bot API call an update makes (a reply, each piece of a long
// reply, a callback answer, an edit) under a key from its call order, in the coordinator's
// own SQLite storage. The intent ("sending") is written before the call leaves, the outcome
// right after Telegram answers, before anything else. A later attempt at the same update
// skips every key it finds: a "sending" left by an attempt that died mid-call becomes
// "unknown" and is never repeated, because it may have arrived.
import type { Journal, JournalEntry } from "../telegram/ingest/effects";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS journal (
  update_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  value TEXT,
  at INTEGER NOT NULL,
  PRIMARY KEY (update_id, key)
);
`;

export class SqlJournal implements Journal {
  constructor(
    readonly sql: SqlStorage,
    readonly storage: DurableObjectStorage,
  ) {
    sql.exec(SCHEMA);
  }

  get(updateId: number, key: string): JournalEntry | undefined {
    const r = this.sql
      .exec<{ state: string; value: string | null }>("SELECT state, value FROM journal WHERE update_id = ? AND key = ?", updateId, key)
      .toArray()[0];
    if (!r) return undefined;
    return { state: r.state as JournalEntry["state"], value: r.value === null ? undefined : JSON.parse(r.value) };
  }

  /** Writes the intent and waits until it is durable, so the call never leaves unrecorded. */
  async begin(updateId: number, key: string): Promise<void> {
    this.#put(updateId, key, "sending", undefined);
    await this.storage.sync();
  }

  end(updateId: number, key: string, state: Exclude<JournalEntry["state"], "sending">, value?: unknown): void {
    this.#put(updateId, key, state, value);
  }

  /**
   * The intent, written without waiting for the flush: for the outbox's sends, whose fetch
   * the Durable Object's output gate holds until this write is durable anyway (a flush per
   * send under a busy inbox slowed the lanes to a crawl; bench/governor).
   */
  intend(updateId: number, key: string): void {
    this.#put(updateId, key, "sending", undefined);
  }

  /** A send queued in the outbox (outbox.ts), or put back there after a 429; the outbox journals its outcome. */
  mark(updateId: number, key: string, state: "queued"): void {
    this.#put(updateId, key, state, undefined);
  }

  /** Telegram said the call was not made (e.g. 429): the key may be tried again. */
  forget(updateId: number, key: string): void {
    this.sql.exec("DELETE FROM journal WHERE update_id = ? AND key = ?", updateId, key);
  }

  entries(updateId: number): { key: string; state: string; value: unknown }[] {
    return this.sql
      .exec<{ key: string; state: string; value: string | null }>(
        "SELECT key, state, value FROM journal WHERE update_id = ? ORDER BY at, key",
        updateId,
      )
      .toArray()
      .map((r) => ({ key: r.key, state: r.state, value: r.value === null ? undefined : JSON.parse(r.value) }));
  }

  /** Forgets the journal of updates handled long ago (their inbox rows are pruned too). */
  prune(before: number): number {
    return this.sql.exec("DELETE FROM journal WHERE at < ?", before).rowsWritten;
  }

  #put(updateId: number, key: string, state: string, value: unknown): void {
    this.sql.exec(
      `INSERT INTO journal (update_id, key, state, value, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (update_id, key) DO UPDATE SET state = excluded.state, value = excluded.value, at = excluded.at`,
      updateId,
      key,
      state,
      value === undefined ? null : JSON.stringify(value),
      Date.now(),
    );
  }
}
