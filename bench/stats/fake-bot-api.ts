// A fake Bot API over HTTP with a fixed latency per call, for the collector benchmark.
// Chat kinds follow the chat id (see kindOf), so the expected calls per chat are known.
// It runs on its own thread by default (fake-bot-api-thread.ts), as a real Bot API runs on its
// own machine: on the collector's thread its timers and parsing would share one event loop with
// the collector, and every millisecond either side spends would delay the other's answers.
// Its counters (calls, connections in flight, peak) sit in shared memory, read from any thread.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

export const BOT_ID = 5681419729;

/** 0-3: channel (bot admin, 3 calls), 4-6: supergroup (bot admin, 3), 7-8: supergroup (bot not admin, 4), 9: group (bot admin, 3). */
export function kindOf(chatId: number): { type: "channel" | "supergroup" | "group"; botIsAdmin: boolean } {
  const k = Math.abs(chatId) % 10;
  if (k <= 3) return { type: "channel", botIsAdmin: true };
  if (k <= 6) return { type: "supergroup", botIsAdmin: true };
  if (k <= 8) return { type: "supergroup", botIsAdmin: false };
  return { type: "group", botIsAdmin: true };
}
export const expectedCalls = (chatId: number) => (kindOf(chatId).botIsAdmin ? 3 : 4);

export interface FakeApi {
  url: string;
  /** Calls answered so far, counted by the fake itself. */
  calls: number;
  peak: number;
  /** Starts the peak count afresh (between two collections). */
  resetPeak(): void;
  close(): Promise<void>;
}

const CALLS = 0;
const IN_FLIGHT = 1;
const PEAK = 2;
/** Shared counters: calls, in flight, peak (Int32 over a SharedArrayBuffer). */
export const newCounters = () => new Int32Array(new SharedArrayBuffer(3 * 4));

/** Starts the fake: on its own thread (default), or on this one (`thread: false`). */
export async function startFakeBotApi(latencyMs: number, opts: { thread?: boolean } = {}): Promise<FakeApi> {
  const counters = newCounters();
  let url: string;
  let stop: () => Promise<void>;
  if (opts.thread === false) {
    const server = await listenFake(latencyMs, counters);
    url = urlOf(server);
    stop = () => new Promise((r) => server.close(() => r()));
  } else {
    const worker = new Worker(join(import.meta.dirname, "fake-bot-api-thread.ts"), {
      workerData: { latencyMs, counters },
    });
    url = await new Promise<string>((resolve, reject) => {
      worker.once("message", (m: { url: string }) => resolve(m.url));
      worker.once("error", reject);
    });
    stop = async () => {
      await worker.terminate();
    };
  }
  return {
    url,
    get calls() {
      return Atomics.load(counters, CALLS);
    },
    get peak() {
      return Atomics.load(counters, PEAK);
    },
    resetPeak: () => {
      Atomics.store(counters, PEAK, Atomics.load(counters, IN_FLIGHT));
    },
    close: stop,
  };
}

/** The HTTP server itself, on the calling thread, counting into `counters`. */
export async function listenFake(latencyMs: number, counters: Int32Array): Promise<Server> {
  const admins = (botIsAdmin: boolean) => [
    {
      user: { id: 10081232, is_bot: false, first_name: "John", last_name: "Doe", username: "JohnDoe" },
      status: "creator",
      is_anonymous: false,
    },
    ...(botIsAdmin
      ? [{ user: { id: BOT_ID, is_bot: true, first_name: "bench", username: "bench_bot" }, status: "administrator", is_anonymous: false }]
      : []),
  ];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      Atomics.add(counters, CALLS, 1);
      const now = Atomics.add(counters, IN_FLIGHT, 1) + 1;
      if (now > Atomics.load(counters, PEAK)) Atomics.store(counters, PEAK, now);
      const method = (req.url ?? "").split("/").pop() ?? "";
      const p = body ? (JSON.parse(body) as { chat_id: number }) : { chat_id: 0 };
      const kind = kindOf(p.chat_id);
      const result =
        method === "getChat"
          ? { id: p.chat_id, type: kind.type, title: `Chat ${p.chat_id}` }
          : method === "getChatMemberCount"
            ? 1000 + (Math.abs(p.chat_id) % 5000)
            : method === "getChatAdministrators"
              ? admins(kind.botIsAdmin)
              : method === "getChatMember"
                ? { user: { id: BOT_ID, is_bot: true, first_name: "bench" }, status: "member" }
                : method === "getMe"
                  ? { id: BOT_ID, is_bot: true, first_name: "bench", username: "bench_bot" }
                  : undefined;
      setTimeout(() => {
        Atomics.sub(counters, IN_FLIGHT, 1);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result === undefined ? { ok: false, error_code: 404, description: "Not Found" } : { ok: true, result }));
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

function urlOf(server: Server): string {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return `http://127.0.0.1:${port}`;
}

export const fakeUrl = urlOf;
