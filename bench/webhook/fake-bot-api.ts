// A tiny fake Bot API on 127.0.0.1 for the webhook benchmark: answers the methods the
// webhook path calls (getMe, setWebhook, sendMessage, answerCallbackQuery, ...) at once,
// remembers the webhook's secret_token, counts calls per method, and stamps the arrival of
// every sendMessage to a watched chat (chat_id >= watchFrom: the reply probe's own chats) so
// the bench can time replies. It runs in this thread, or (`thread: true`) on a thread of its
// own (fake-bot-api-thread.ts), as a real Bot API runs elsewhere: then its parsing does not
// share an event loop with the bench's probe, and arrival stamps are taken where they happen.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** A sendMessage to a watched chat: when it arrived (epoch ms, sub-millisecond) and what it said. */
export interface Arrival {
  chatId: number;
  text: string;
  at: number;
}

export interface FakeBotApi {
  url: string;
  calls: Map<string, number>;
  secretFor(token: string): string | undefined;
  /** sendMessage arrivals to watched chats, by chat id (the first one per chat). */
  arrivals: Map<number, Arrival>;
  /** Resolves with the arrival for that chat (at once if it came already), or undefined after timeoutMs. */
  waitArrival(chatId: number, timeoutMs: number): Promise<Arrival | undefined>;
  /** The call counts as the fake sees them now (from its thread, if it has one). */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Run on a worker thread of its own (default: this thread). */
  thread?: boolean;
  /** Stamp sendMessage arrivals to chats with ids from this one up (default: none). */
  watchFrom?: number;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across threads. */
export const nowMs = () => performance.timeOrigin + performance.now();

export interface FakeEvents {
  secret(token: string, secret: string): void;
  arrival(a: Arrival): void;
}

/** The HTTP server itself, on the calling thread. */
export async function listenFakeBotApi(
  calls: Map<string, number>,
  events: FakeEvents,
  watchFrom = Number.POSITIVE_INFINITY,
): Promise<Server> {
  let nextMessageId = 1;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? "");
      const token = m?.[1] ?? "";
      const method = m?.[2] ?? "";
      calls.set(method, (calls.get(method) ?? 0) + 1);
      let p: Record<string, unknown> = {};
      try {
        p = body ? JSON.parse(body) : {};
      } catch {
        // multipart or empty: parameters are not needed here
      }
      const botId = Number(token.split(":")[0]);
      const me = { id: botId, is_bot: true, first_name: "Bench", username: `bench${botId}_bot` };
      let result: unknown = true;
      switch (method) {
        case "getMe":
          result = { ...me, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
          break;
        case "setWebhook":
          events.secret(token, String(p.secret_token ?? ""));
          break;
        case "getWebhookInfo":
          result = { url: "", has_custom_certificate: false, pending_update_count: 0 };
          break;
        case "sendMessage":
        case "editMessageText": {
          const chatId = Number(p.chat_id);
          if (method === "sendMessage" && chatId >= watchFrom) events.arrival({ chatId, text: String(p.text ?? ""), at: nowMs() });
          result = {
            message_id: method === "sendMessage" ? nextMessageId++ : Number(p.message_id),
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" },
            from: me,
            text: p.text,
          };
          break;
        }
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

export const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

export async function startFakeBotApi(opts: FakeOptions = {}): Promise<FakeBotApi> {
  const calls = new Map<string, number>();
  const secrets = new Map<string, string>();
  const arrivals = new Map<number, Arrival>();
  const waiters = new Map<number, (a: Arrival) => void>();
  const events: FakeEvents = {
    secret: (token, secret) => secrets.set(token, secret),
    arrival: (a) => {
      if (!arrivals.has(a.chatId)) arrivals.set(a.chatId, a);
      waiters.get(a.chatId)?.(a);
      waiters.delete(a.chatId);
    },
  };
  let url: string;
  let counts: () => Promise<Record<string, number>>;
  let close: () => Promise<void>;
  if (opts.thread) {
    const worker = new Worker(join(import.meta.dirname, "fake-bot-api-thread.ts"), { workerData: { watchFrom: opts.watchFrom } });
    let countsWaiter: ((c: Record<string, number>) => void) | undefined;
    url = await new Promise<string>((resolve, reject) => {
      worker.on("message", (m: { type: string } & Record<string, unknown>) => {
        if (m.type === "url") resolve(m.url as string);
        else if (m.type === "secret") events.secret(m.token as string, m.secret as string);
        else if (m.type === "arrival") events.arrival(m.arrival as Arrival);
        else if (m.type === "counts") {
          for (const [k, v] of Object.entries(m.counts as Record<string, number>)) calls.set(k, v);
          countsWaiter?.(m.counts as Record<string, number>);
        }
      });
      worker.once("error", reject);
    });
    counts = () =>
      new Promise((r) => {
        countsWaiter = r;
        worker.postMessage({ type: "counts" });
      });
    close = async () => {
      await worker.terminate();
    };
  } else {
    const server = await listenFakeBotApi(calls, events, opts.watchFrom);
    url = urlOf(server);
    counts = async () => Object.fromEntries(calls);
    close = () => new Promise((r) => server.close(() => r()));
  }
  return {
    url,
    calls,
    arrivals,
    secretFor: (token) => secrets.get(token),
    waitArrival: (chatId, timeoutMs) => {
      const hit = arrivals.get(chatId);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters.delete(chatId);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(chatId, (a) => {
          clearTimeout(t);
          resolve(a);
        });
      });
    },
    counts,
    close,
  };
}
