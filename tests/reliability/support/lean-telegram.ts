// A lean fake Bot API (node:http) for the reliability suites: fast enough for tens of
// thousands of calls, records every call, remembers each bot's webhook secret, and can
// answer a chosen share of calls with a fault (429 with retry_after, 500, a dropped
// connection, a 400 parse error) picked by a seeded generator. A faulted call has no
// effect, as with Telegram: only calls answered ok "happened".
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "429" | "500" | "drop" | "400";

export interface TgCall {
  seq: number;
  token: string;
  method: string;
  params: Record<string, unknown>;
  /** The fault answered, if any; otherwise the call succeeded. */
  fault?: Fault;
  /** Set by the driver: which delivery was in flight for this chat when the call came. */
  delivery?: string;
  messageId?: number;
}

export interface LeanTelegram {
  url: string;
  calls: TgCall[];
  /** Webhook secret per bot token (from setWebhook). */
  secrets: Map<string, string>;
  /** Decides a fault per call (undefined: answer normally). */
  faults: ((call: TgCall) => Fault | undefined) | undefined;
  /** Delivery tag per "token|chat_id", so calls can be attributed to the delivery in flight. */
  inFlight: Map<string, string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  if (type.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  return {};
}

export async function startLeanTelegram(): Promise<LeanTelegram> {
  const state: LeanTelegram = {
    url: "",
    calls: [],
    secrets: new Map(),
    faults: undefined,
    inFlight: new Map(),
    close: async () => undefined,
  };
  let seq = 0;
  // Telegram numbers a chat's messages in one sequence, in and out; the suites' incoming
  // messages use small ids, so the bots' own messages start far above them.
  let nextMessageId = 1_500_000_000;
  const server: Server = createServer(async (req, res) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const [, token = "", method = ""] = m;
    const params = await readBody(req);
    const call: TgCall = { seq: seq++, token, method, params };
    const chat = params.chat_id !== undefined ? String(params.chat_id) : undefined;
    if (chat !== undefined) call.delivery = state.inFlight.get(`${token}|${chat}`);
    state.calls.push(call);
    const fault = state.faults?.(call);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (fault) {
      call.fault = fault;
      if (fault === "drop") {
        req.socket.destroy();
        return;
      }
      if (fault === "429")
        return json(429, { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
      if (fault === "500") return json(500, { ok: false, error_code: 500, description: "Internal Server Error" });
      return json(400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities: unexpected end" });
    }
    const id = Number(token.split(":")[0]);
    const now = Math.floor(Date.now() / 1000);
    switch (method) {
      case "getMe":
        return json(200, { ok: true, result: { id, is_bot: true, first_name: `Rel ${id}`, username: `rel${id}_bot` } });
      case "setWebhook":
        state.secrets.set(token, String(params.secret_token ?? ""));
        return json(200, { ok: true, result: true });
      case "sendMessage": {
        const chatId = Number(params.chat_id);
        call.messageId = nextMessageId++;
        const chatObj = chatId > 0 ? { id: chatId, type: "private", first_name: "U" } : { id: chatId, type: "supergroup", title: "G" };
        return json(200, {
          ok: true,
          result: {
            message_id: call.messageId,
            date: now,
            chat: chatObj,
            from: { id, is_bot: true, first_name: "Rel" },
            text: params.text,
          },
        });
      }
      case "getWebhookInfo":
        return json(200, { ok: true, result: { url: "", has_custom_certificate: false, pending_update_count: 0 } });
      default:
        return json(200, { ok: true, result: true });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
