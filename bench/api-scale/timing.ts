// Sequential request timing for the benches: a few warm-up requests, then N timed ones,
// each read to its last byte. Answers the median and the 95th percentile in milliseconds.
import { TEST_SECRETS } from "../../tests/helpers/wrangler-dev";

export const AUTH = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` };

export interface Timing {
  medianMs: number;
  p95Ms: number;
  bytes: number;
  /** Timed requests actually made. */
  runs: number;
  /** Why timing stopped early (the endpoint failed). */
  error?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function timeRequests(url: string, runs = 30, warmup = 3, budgetMs = 20_000): Promise<Timing> {
  let bytes = 0;
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: AUTH });
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
    bytes = body.byteLength;
    return performance.now() - t;
  };
  let slowest = 0;
  const times: number[] = [];
  try {
    // Keeps a slow endpoint's share bounded (~budgetMs): one warm-up and at least 5 timed requests when each takes seconds.
    for (let i = 0; i < warmup && slowest < 2000; i++) slowest = Math.max(slowest, await once());
    const n = Math.max(Math.min(runs, 5), Math.min(runs, Math.floor(budgetMs / Math.max(slowest, 1))));
    for (let i = 0; i < n; i++) times.push(await once());
  } catch (err) {
    // A request that fails (an error answer, or the Worker dropping the connection) ends this endpoint's timing.
    const e = err as Error & { cause?: Error };
    return {
      medianMs: Number.NaN,
      p95Ms: Number.NaN,
      bytes,
      runs: times.length,
      error: `${e.message}${e.cause ? ` (${e.cause.message})` : ""}`,
    };
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  return { medianMs: percentile(times, 50), p95Ms: percentile(times, 95), bytes, runs: n };
}
