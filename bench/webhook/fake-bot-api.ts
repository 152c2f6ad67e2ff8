// A tiny fake Bot API on 127.0.0.1 for the webhook benchmark: answers the methods the
// webhook path calls (getMe, setWebhook, sendMessage, answerCallbackQuery, ...) at once,
// remembers the webhook's secret_token, and counts calls per method.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeBotApi {
  url: string;
  calls: Map<string, number>;
  secretFor(token: string): string | undefined;
  close(): Promise<void>;
}

export async function startFakeBotApi(): Promise<FakeBotApi> {
  const calls = new Map<string, number>();
  const secrets = new Map<string, string>();
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
          secrets.set(token, String(p.secret_token ?? ""));
          break;
        case "getWebhookInfo":
          result = { url: "", has_custom_certificate: false, pending_update_count: 0 };
          break;
        case "sendMessage":
        case "editMessageText": {
          const chatId = Number(p.chat_id);
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
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    secretFor: (token) => secrets.get(token),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
