// The Worker's V8 heap, through wrangler dev's inspector (Chrome DevTools Protocol):
// a full GC (via HeapProfiler.takeHeapSnapshot), then Runtime.getHeapUsage. RSS cannot tell garbage V8 has not
// collected yet from memory an export retains; the heap after a forced GC can.
import { readdirSync, readFileSync } from "node:fs";

/** The --inspector-port of the wrangler dev that persists to `stateDir`. */
export function inspectorPort(stateDir: string): number {
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const i = args.indexOf("--inspector-port");
    if (i > 0 && args.includes(stateDir) && args.some((a) => a.includes("wrangler"))) return Number(args[i + 1]);
  }
  throw new Error(`no wrangler dev with an inspector port for ${stateDir}`);
}

interface NodeSocket {
  addEventListener(type: "open" | "error" | "message", fn: (ev: unknown) => void): void;
  send(data: string): void;
  close(): void;
}

export interface HeapClient {
  /** Forces a full GC, then answers the heap in use (bytes). */
  usedAfterGc(): Promise<number>;
  /** The heap in use now (bytes), garbage included. */
  used(): Promise<number>;
  close(): void;
}

export async function connectHeap(port: number): Promise<HeapClient> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error("the inspector lists no debuggable Worker");
  // Node's own WebSocket client (the project's global types are the Workers ones, hence the casts).
  // The inspector proxy (miniflare) wants an Origin it allows; Node's client sends none unless told.
  const Socket = WebSocket as unknown as new (url: string, init: { headers: Record<string, string> }) => NodeSocket;
  const ws = new Socket(url, { headers: { origin: "http://localhost" } });
  await new Promise((res, rej) => {
    ws.addEventListener("open", res);
    ws.addEventListener("error", rej);
  });
  let nextId = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String((ev as { data: unknown }).data)) as { id?: number; result?: unknown };
    if (msg.id === undefined) return;
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  });
  const call = (method: string, params?: unknown) =>
    new Promise<unknown>((res) => {
      const id = nextId++;
      waiting.set(id, res);
      ws.send(JSON.stringify({ id, method, params }));
    });
  const used = async () => ((await call("Runtime.getHeapUsage")) as { usedSize: number }).usedSize;
  return {
    used,
    usedAfterGc: async () => {
      // workerd's inspector does not answer HeapProfiler.collectGarbage; a heap snapshot
      // runs a full GC first (its chunks arrive as events and are ignored here).
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return used();
    },
    close: () => ws.close(),
  };
}
