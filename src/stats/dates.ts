// UTC calendar helpers for the history and analytics queries (days are YYYY-MM-DD, UTC).
import type { DateRange } from "./types";

const DAY = 86_400;
export const MAX_RANGE_DAYS = 366;

export const dayOf = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10);
export const startOfDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/** Every day of the range, in order. */
export function daysIn(range: DateRange): string[] {
  const out: string[] = [];
  for (let t = startOfDay(range.from); t <= startOfDay(range.to); t += DAY) out.push(dayOf(t));
  return out;
}

/** The Monday (UTC) of the ISO week a day falls in. */
export function weekOf(day: string): string {
  const t = startOfDay(day);
  const weekday = new Date(t * 1000).getUTCDay(); // 0 = Sunday
  return dayOf(t - ((weekday + 6) % 7) * DAY);
}

/** The last `days` days up to today (UTC), the default range of every query. */
export function defaultRange(days = 30, now = Date.now() / 1000): DateRange {
  const to = dayOf(now);
  return { from: dayOf(startOfDay(to) - (days - 1) * DAY), to };
}

export const isValidDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && dayOf(startOfDay(s)) === s;

export const rangeDays = (r: DateRange): number => (startOfDay(r.to) - startOfDay(r.from)) / DAY + 1;
