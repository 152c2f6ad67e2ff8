// Finds the workerd process that runs the Worker under a `wrangler dev` started by
// tests/helpers/wrangler-dev.ts, and samples its memory from /proc (Linux only).
//
// wrangler dev runs two workerd processes: a proxy that owns the public port
// (--socket-addr=entry=127.0.0.1:<port>) and the runtime of the Worker itself (entry on an
// ephemeral port, with --inspector-addr). The second one is the Worker process.
import { readdirSync, readFileSync } from "node:fs";

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
};

const parentOf = (pid: number) => {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
};

/** The pid of the workerd running the Worker of the wrangler dev that persists to `stateDir`. */
export function findWorkerPid(stateDir: string): number {
  const pids = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const roots = new Set(pids.filter((p) => cmdline(p).some((a) => a.includes("wrangler")) && cmdline(p).includes(stateDir)));
  const isUnder = (p: number) => {
    for (let q = parentOf(p), hops = 0; q > 1 && hops < 10; q = parentOf(q), hops++) if (roots.has(q)) return true;
    return false;
  };
  const workers = pids.filter((p) => {
    const args = cmdline(p);
    return args[0]?.endsWith("/workerd") && args.some((a) => a.startsWith("--inspector-addr")) && isUnder(p);
  });
  if (workers.length !== 1) throw new Error(`expected one workerd Worker process under ${stateDir}, found ${workers.length}`);
  return workers[0]!;
}

export interface Mem {
  /** Resident set size now, kB. */
  rssKb: number;
  /** Peak resident set size since the process started (VmHWM), kB. */
  hwmKb: number;
}

export function readMem(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

/** Samples VmRSS every `everyMs` until stopped; answers the highest value seen (kB) and the samples taken. */
export function sampleRss(pid: number, everyMs = 5): { stop(): { peakKb: number; samples: number } } {
  let peakKb = readMem(pid).rssKb;
  let samples = 1;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, readMem(pid).rssKb);
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peakKb = Math.max(peakKb, readMem(pid).rssKb);
      return { peakKb, samples: samples + 1 };
    },
  };
}
