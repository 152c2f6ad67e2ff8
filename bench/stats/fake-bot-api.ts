// A fake Bot API over HTTP with a fixed latency per call, for the collector benchmark.
// Chat kinds follow the chat id (see kindOf), so the expected calls per chat are known.
import { createServer, type Server } from "node:http";

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
  calls: number;
  peak: number;
  close(): Promise<void>;
}

export async function startFakeBotApi(latencyMs: number): Promise<FakeApi> {
  let inFlight = 0;
  const state = { calls: 0, peak: 0 };
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
      state.calls++;
      inFlight++;
      state.peak = Math.max(state.peak, inFlight);
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
        inFlight--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result === undefined ? { ok: false, error_code: 404, description: "Not Found" } : { ok: true, result }));
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    get peak() {
      return state.peak;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
