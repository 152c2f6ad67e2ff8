// CPU time used by a process and all its descendants (wrangler and the workerd it runs),
// from /proc: steadier than throughput on a shared machine, because it does not count
// time spent waiting for a core.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (list) out.push(...list.split(/\s+/).map(Number));
    }
  } catch {
    // the process is gone
  }
  return out;
}

function ownTicks(pid: number, which: "all" | "sys" = "all"): number {
  try {
    // Fields after the command name (which may hold spaces) start at ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (which === "sys") return Number(fields[12]);
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by `pid` and every live descendant. */
export function treeCpuSeconds(pid: number, which: "all" | "sys" = "all"): number {
  let ticks = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop() as number;
    ticks += ownTicks(p, which);
    todo.push(...children(p));
  }
  return ticks / TICKS_PER_SECOND;
}
