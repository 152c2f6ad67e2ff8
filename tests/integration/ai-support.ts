// Fake OpenAI and Gemini at the HTTP level (msw handlers added to the fake Telegram's
// server): every request is recorded; answers can be scripted per provider.
import { HttpResponse, http } from "msw";
import type { FakeTelegram } from "../helpers/fake-telegram";

export interface AiCall {
  provider: "openai" | "gemini";
  url: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * One scripted answer. A streaming request (OpenAI `stream: true`, Gemini
 * `:streamGenerateContent`) is answered with server-sent events: `chunks` one event each,
 * `chunkDelayMs` apart (default: the whole text in one event).
 */
type Answer = { status: number; body?: unknown; delayMs?: number; chunks?: string[]; chunkDelayMs?: number };

export class FakeAi {
  readonly calls: AiCall[] = [];
  #queue: Record<"openai" | "gemini", Answer[]> = { openai: [], gemini: [] };
  inFlight = 0;
  maxInFlight = 0;
  /** Streams whose reader went away before the last chunk (a stopped answer). */
  streamsCut = 0;

  constructor(fake: FakeTelegram) {
    fake.server.use(
      http.post("https://openai.test/v1/chat/completions", async ({ request }) => this.#handle("openai", request)),
      http.post(/^https:\/\/gemini\.test\/.*/, async ({ request }) => this.#handle("gemini", request)),
    );
  }

  queue(provider: "openai" | "gemini", ...answers: Answer[]) {
    this.#queue[provider].push(...answers);
  }

  of(provider: "openai" | "gemini") {
    return this.calls.filter((c) => c.provider === provider);
  }

  reset() {
    this.calls.length = 0;
    this.#queue = { openai: [], gemini: [] };
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.streamsCut = 0;
  }

  async #handle(provider: "openai" | "gemini", request: { url: string; headers: Headers; json(): Promise<unknown> }): Promise<Response> {
    const body = (await request.json()) as Record<string, unknown>;
    this.calls.push({ provider, url: request.url, body, headers: Object.fromEntries(request.headers) });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const scripted = this.#queue[provider].shift();
      if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      if (scripted && scripted.status !== 200) {
        return HttpResponse.json(scripted.body ?? { error: { message: `fake ${provider} failure`, code: scripted.status } }, {
          status: scripted.status,
        });
      }
      const text = typeof scripted?.body === "string" ? scripted.body : `${provider} says: ${lastUserText(provider, body)}`;
      const streaming = provider === "openai" ? body.stream === true : request.url.includes(":streamGenerateContent");
      if (streaming) return sse(provider, scripted?.chunks ?? [text], scripted?.chunkDelayMs ?? 0, () => this.streamsCut++);
      return HttpResponse.json(provider === "openai" ? openaiAnswer(text) : geminiAnswer(text));
    } finally {
      this.inFlight -= 1;
    }
  }
}

function lastUserText(provider: "openai" | "gemini", body: Record<string, unknown>): string {
  if (provider === "openai") {
    const msgs = body.messages as { role: string; content: string }[];
    return msgs.filter((m) => m.role === "user").at(-1)?.content ?? "";
  }
  const contents = body.contents as { role: string; parts: { text: string }[] }[];
  return contents.filter((c) => c.role === "user").at(-1)?.parts[0]?.text ?? "";
}

const openaiAnswer = (text: string) => ({
  id: "chatcmpl-fake",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

const geminiAnswer = (text: string) => ({
  candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
  usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 },
});

/** The conversation sent to OpenAI: [role, content] pairs, system first. */
export const openaiTurns = (c: AiCall) => (c.body.messages as { role: string; content: string }[]).map((m) => [m.role, m.content]);

/** Server-sent events as each provider streams them: text chunks, then usage. */
function sse(provider: "openai" | "gemini", chunks: string[], delayMs: number, onCut: () => void): Response {
  const enc = new TextEncoder();
  const events =
    provider === "openai"
      ? [
          ...chunks.map((c) => ({
            id: "chatcmpl-fake",
            object: "chat.completion.chunk",
            created: 1_700_000_000,
            model: "gpt-4o-mini",
            choices: [{ index: 0, delta: { content: c }, finish_reason: null }],
          })),
          {
            id: "chatcmpl-fake",
            object: "chat.completion.chunk",
            created: 1_700_000_000,
            model: "gpt-4o-mini",
            choices: [],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          },
        ]
      : chunks.map((c, i) => ({
          candidates: [
            { content: { role: "model", parts: [{ text: c }] }, index: 0, ...(i === chunks.length - 1 ? { finishReason: "STOP" } : {}) },
          ],
          ...(i === chunks.length - 1 ? { usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 } } : {}),
        }));
  let i = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0 && delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (cancelled) return;
      const ev = events[i++];
      if (ev) {
        controller.enqueue(enc.encode(`data: ${JSON.stringify(ev)}\n\n`));
        return;
      }
      if (provider === "openai") controller.enqueue(enc.encode("data: [DONE]\n\n"));
      controller.close();
    },
    cancel() {
      cancelled = true;
      if (i <= events.length) onCut();
    },
  });
  return new HttpResponse(stream, { headers: { "content-type": "text/event-stream" } });
}
