// A fake Telegram Bot API at the HTTP level (msw inside workerd), for tests.
// It knows bots by token, records every call with its parameters, answers the
// common methods plausibly, and lets a test script answers per method.
import { type DefaultBodyType, HttpResponse, http, type StrictRequest } from "msw";
import { setupServer } from "msw/node";

export const TELEGRAM_BASE = "https://telegram.test";

export interface FakeBot {
  id: number;
  username: string;
  first_name: string;
}

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  /** For multipart calls: the raw parts (files as { filename, type, size, text }). */
  files?: Record<string, { filename: string; type: string; size: number; text: string }>;
  contentType: string;
}

/** What a scripted handler may answer: a result, a Telegram error, or a network failure. */
export type Scripted =
  | { result: unknown }
  | { error_code: number; description: string; parameters?: Record<string, unknown> }
  | { networkError: true }
  | { status: number; body: string };

type Handler = (call: RecordedCall) => Scripted | undefined;

export function tokenFor(botId: number): string {
  return `${botId}:AAE${"x".repeat(30)}${botId}`;
}

export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  readonly bots = new Map<string, FakeBot>();
  readonly webhooks = new Map<string, { url: string; secret_token?: string; allowed_updates?: string[] }>();
  #queue = new Map<string, Scripted[]>();
  #handlers = new Map<string, Handler>();
  #nextMessageId = 1000;
  readonly server = setupServer(
    http.post(`${TELEGRAM_BASE}/:bot/:method`, async ({ request, params }) =>
      this.#handle(request, String(params.bot), String(params.method)),
    ),
  );

  addBot(id: number, username = `bot${id}_bot`): { token: string; bot: FakeBot } {
    const token = tokenFor(id);
    const bot = { id, username, first_name: `Bot ${id}` };
    this.bots.set(token, bot);
    return { token, bot };
  }

  /** Answers the next call(s) of `method` with these, in order, before falling back to the defaults. */
  queue(method: string, ...answers: Scripted[]): void {
    this.#queue.set(method, [...(this.#queue.get(method) ?? []), ...answers]);
  }

  /** A handler consulted for every call of `method` (after the queue); undefined means "default". */
  on(method: string, handler: Handler): void {
    this.#handlers.set(method, handler);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
    this.#queue.clear();
    this.#handlers.clear();
    this.webhooks.clear();
  }

  listen(): void {
    this.server.listen({ onUnhandledRequest: "error" });
  }

  close(): void {
    this.server.close();
  }

  async #handle(request: StrictRequest<DefaultBodyType>, botPart: string, method: string): Promise<Response> {
    const token = botPart.replace(/^bot/, "");
    const contentType = request.headers.get("content-type") ?? "";
    const call: RecordedCall = { token, method, params: {}, contentType };
    if (contentType.includes("multipart/form-data")) {
      const form = await request.formData();
      call.files = {};
      for (const [k, v] of form.entries()) {
        if (typeof v === "string") call.params[k] = v;
        else call.files[k] = { filename: v.name, type: v.type, size: v.size, text: await v.text() };
      }
    } else {
      const text = await request.text();
      call.params = text ? JSON.parse(text) : {};
    }
    this.calls.push(call);

    const scripted = this.#queue.get(method)?.shift() ?? this.#handlers.get(method)?.(call);
    if (scripted) return answer(scripted);

    const bot = this.bots.get(token);
    if (!bot) return answer({ error_code: 401, description: "Unauthorized" });
    return answer(this.#default(bot, token, call));
  }

  #default(bot: FakeBot, token: string, call: RecordedCall): Scripted {
    const p = call.params;
    const chat = { id: Number(p.chat_id), type: Number(p.chat_id) > 0 ? "private" : "supergroup" };
    const message = (extra: Record<string, unknown>) => ({
      result: { message_id: this.#nextMessageId++, date: Math.floor(Date.now() / 1000), chat, from: { ...bot, is_bot: true }, ...extra },
    });
    switch (call.method) {
      case "getMe":
        return {
          result: { ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
        };
      case "sendMessage":
        return message({ text: p.text });
      case "sendPhoto":
        return message({ photo: [{ file_id: "photo-file-id", file_unique_id: "u1", width: 1, height: 1 }], caption: p.caption });
      case "sendDocument":
        return message({ document: { file_id: "doc-file-id", file_unique_id: "u2" }, caption: p.caption });
      case "editMessageText":
        return message({ message_id: Number(p.message_id), text: p.text });
      case "setWebhook":
        this.webhooks.set(token, {
          url: String(p.url),
          secret_token: p.secret_token as string | undefined,
          allowed_updates: p.allowed_updates as string[] | undefined,
        });
        return { result: true };
      case "deleteWebhook":
        this.webhooks.delete(token);
        return { result: true };
      case "getWebhookInfo": {
        const w = this.webhooks.get(token);
        return {
          result: { url: w?.url ?? "", has_custom_certificate: false, pending_update_count: 0, allowed_updates: w?.allowed_updates },
        };
      }
      case "answerCallbackQuery":
      case "sendChatAction":
      case "sendMessageDraft":
      case "setMyCommands":
      case "deleteMyCommands":
        return { result: true };
      case "getUpdates":
        return { result: [] };
      default:
        return { error_code: 404, description: `Not Found: method ${call.method} is not faked` };
    }
  }
}

function answer(s: Scripted): Response {
  if ("networkError" in s) return HttpResponse.error();
  if ("status" in s) return new HttpResponse(s.body, { status: s.status });
  if ("result" in s) return HttpResponse.json({ ok: true, result: s.result });
  return HttpResponse.json(
    { ok: false, error_code: s.error_code, description: s.description, parameters: s.parameters },
    { status: s.error_code },
  );
}
