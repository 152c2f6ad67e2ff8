// How the bench's collector reaches the fake Bot API. In the Worker, fetch is workerd's own;
// in Node there are two choices, and they differ by milliseconds per call at 30 ms latency:
//   http:  a minimal fetch over node:http with a keep-alive agent (6 sockets, like the pool);
//   fetch: Node's global fetch (undici), which here costs ~2 ms more per call than node:http and
//          opens extra sockets, so its wall time measures undici as much as the collector.
// Both carry the same requests and answers; the collector and the meter are the same code.
import { Agent, request } from "node:http";
import { MAX_CONCURRENCY } from "../../src/stats/call-meter";

export type Transport = "http" | "fetch";

export function transportFetch(kind: Transport): { fetch: typeof fetch; close(): void } {
  if (kind === "fetch") return { fetch: (input, init) => fetch(input, init), close: () => {} };
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY });
  const httpFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const body = typeof init?.body === "string" ? init.body : "";
    const headers: Record<string, string> = { "content-length": String(Buffer.byteLength(body)) };
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: init?.method ?? "GET", headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      init?.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")), { once: true });
      req.end(body);
    });
  };
  return { fetch: httpFetch as typeof fetch, close: () => agent.destroy() };
}
