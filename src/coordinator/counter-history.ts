// The inbox counters over time: per-hour buckets of how much each counter grew, kept for
// KEEP_HOURS in the coordinator's own SQLite. SQL triggers on the inbox's `counters`
// table fill them, so every bump is counted exactly once, in the same write as the bump,
// and the inbox code does not need to know history exists. Buckets are by the SQLite
// clock's hour (real time, not the coordinator's test clock).
import { COUNTERS, type CounterName } from "./inbox";

/** Two weeks of hourly buckets (at most 6 counters x 336 hours rows). */
export const KEEP_HOURS = 14 * 24;

const HOUR = "CAST(strftime('%s', 'now') AS INTEGER) / 3600";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counter_history (
  hour INTEGER NOT NULL,
  name TEXT NOT NULL,
  delta INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, name)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS counter_history_on_insert AFTER INSERT ON counters BEGIN
  INSERT INTO counter_history (hour, name, delta) VALUES (${HOUR}, NEW.name, NEW.value)
    ON CONFLICT (hour, name) DO UPDATE SET delta = delta + excluded.delta;
END;
CREATE TRIGGER IF NOT EXISTS counter_history_on_update AFTER UPDATE OF value ON counters BEGIN
  INSERT INTO counter_history (hour, name, delta) VALUES (${HOUR}, NEW.name, NEW.value - OLD.value)
    ON CONFLICT (hour, name) DO UPDATE SET delta = delta + excluded.delta;
END;
CREATE TRIGGER IF NOT EXISTS counter_history_prune AFTER INSERT ON counter_history BEGIN
  DELETE FROM counter_history WHERE hour < NEW.hour - ${KEEP_HOURS};
END;
`;

export interface CounterHistory {
  /** Start of each hour (epoch seconds), oldest first, one entry per hour with no gaps. */
  hours: number[];
  /** For each counter, how much it grew in each of those hours. */
  series: Record<CounterName, number[]>;
}

/** Installs the table and its triggers; the inbox (which creates `counters`) must exist first. */
export function installCounterHistory(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

/** The last `hours` hours (the current one included) of every counter. */
export function readCounterHistory(sql: SqlStorage, hours: number): CounterHistory {
  const span = Math.max(1, Math.min(KEEP_HOURS, Math.floor(hours)));
  const nowHour = Number(sql.exec<{ h: number }>(`SELECT ${HOUR} AS h`).one().h);
  const first = nowHour - span + 1;
  const hoursList = Array.from({ length: span }, (_, i) => (first + i) * 3600);
  const series = Object.fromEntries(COUNTERS.map((c) => [c, hoursList.map(() => 0)])) as Record<CounterName, number[]>;
  const rows = sql.exec<{ hour: number; name: string; delta: number }>(
    "SELECT hour, name, delta FROM counter_history WHERE hour >= ?",
    first,
  );
  for (const r of rows) {
    const list = series[r.name as CounterName];
    const i = Number(r.hour) - first;
    if (list && i >= 0 && i < span) list[i] = Number(r.delta);
  }
  return { hours: hoursList, series };
}
