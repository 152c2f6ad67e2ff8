// A lean fake of the two AI providers (node:http): OpenAI's POST /v1/chat/completions and
// Gemini's POST /v1beta/models/{model}:generateContent (and :streamGenerateContent). A request
// that asks for a stream (OpenAI `stream: true`, Gemini's streaming method) gets server-sent
// events in two chunks, as the real APIs stream. A seeded share of requests is
// answered 429 or 500; every request is recorded with the prompt it carried (the last
// user turn), so the suite can count the attempts made for each prompt.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface AiCall {
  provider: "openai" | "gemini";
  prompt: string;
  status: number;
  /** The API key the request carried (checked, never printed). */
  key: string;
}

export interface LeanAi {
  url: string;
  calls: AiCall[];
  /** Decides the status per call (200 answers normally). */
  status: ((provider: AiCall["provider"], prompt: string) => 200 | 429 | 500) | undefined;
  close(): Promise<void>;
}

async function json(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}

export async function startLeanAi(): Promise<LeanAi> {
  const state: LeanAi = { url: "", calls: [], status: undefined, close: async () => undefined };
  const server = createServer(async (req, res) => {
    const body = await json(req);
    const send = (status: number, payload: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    let provider: AiCall["provider"];
    let prompt: string;
    let key: string;
    if (req.url?.startsWith("/v1/chat/completions")) {
      provider = "openai";
      const messages = (body.messages ?? []) as { role: string; content: string }[];
      prompt = String(messages.at(-1)?.content ?? "");
      key = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    } else if (/^\/v1beta\/models\/[^/:]+:(stream)?[gG]enerateContent/.test(req.url ?? "")) {
      provider = "gemini";
      const contents = (body.contents ?? []) as { parts: { text: string }[] }[];
      prompt = String(contents.at(-1)?.parts?.[0]?.text ?? "");
      key = String(req.headers["x-goog-api-key"] ?? "");
    } else {
      send(404, { error: { message: "not faked" } });
      return;
    }
    const status = state.status?.(provider, prompt) ?? 200;
    state.calls.push({ provider, prompt, status, key });
    if (status === 429) {
      send(429, { error: { message: "Rate limit reached", type: "rate_limit_exceeded", code: 429, status: "RESOURCE_EXHAUSTED" } });
      return;
    }
    if (status === 500) {
      send(500, { error: { message: "The server had an error", type: "server_error", code: 500, status: "INTERNAL" } });
      return;
    }
    const text = `${provider} answers: ${prompt.slice(0, 40)}`;
    const streaming = provider === "openai" ? body.stream === true : (req.url ?? "").includes(":streamGenerateContent");
    if (streaming) {
      const half = Math.ceil(text.length / 2);
      const chunks = [text.slice(0, half), text.slice(half)];
      const events =
        provider === "openai"
          ? [
              ...chunks.map((c) => ({
                id: "chatcmpl-rel",
                object: "chat.completion.chunk",
                created: Math.floor(Date.now() / 1000),
                model: String(body.model),
                choices: [{ index: 0, delta: { content: c }, finish_reason: null }],
              })),
              {
                id: "chatcmpl-rel",
                object: "chat.completion.chunk",
                created: Math.floor(Date.now() / 1000),
                model: String(body.model),
                choices: [],
                usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
              },
            ]
          : chunks.map((c, i) => ({
              candidates: [{ content: { role: "model", parts: [{ text: c }] }, index: 0, ...(i === 1 ? { finishReason: "STOP" } : {}) }],
              ...(i === 1 ? { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 } } : {}),
            }));
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const ev of events) res.write(`data: ${JSON.stringify(ev)}\n\n`);
      if (provider === "openai") res.write("data: [DONE]\n\n");
      res.end();
      return;
    }
    if (provider === "openai") {
      send(200, {
        id: "chatcmpl-rel",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: String(body.model),
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    } else {
      send(200, {
        candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      });
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
