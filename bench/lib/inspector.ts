// A Chrome DevTools Protocol client for wrangler dev's inspector (the Worker's isolate),
// over Node's own WebSocket. Used for heap figures (bench/csv-export) and CPU profiles
// (bench/webhook/profile.ts).
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

export interface Inspector {
  /** Sends one protocol command and answers its result (events are ignored). */
  call(method: string, params?: unknown): Promise<unknown>;
  close(): void;
}

export async function connectInspector(port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error("the inspector lists no debuggable Worker");
  // The project's global types are the Workers ones, hence the cast. The inspector proxy
  // (miniflare) wants an Origin it allows; Node's client sends none unless told.
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
  return {
    call: (method, params) =>
      new Promise<unknown>((res) => {
        const id = nextId++;
        waiting.set(id, res);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
