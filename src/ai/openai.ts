// OpenAI chat completions through the official SDK (base URL from OPENAI_BASE_URL), whole
// or streamed (`stream: true`, server-sent events, usage in the last chunk).
import OpenAI from "openai";
import { AI_TIMEOUT_MS, type AiProvider, AiProviderError, type CompletionRequest, failureKind } from "./provider";

function toError(err: unknown): AiProviderError {
  const status = err instanceof OpenAI.APIError ? err.status : undefined;
  return new AiProviderError("openai", failureKind(status, err), err instanceof Error ? err.message : String(err), status);
}

export function openaiProvider(apiKey: string, baseURL?: string): AiProvider {
  // Retries off: on a failure the chain moves on to the next provider instead.
  const client = new OpenAI({ apiKey, baseURL: baseURL || undefined, maxRetries: 0, timeout: AI_TIMEOUT_MS });
  const messages = (req: CompletionRequest) => [...(req.system ? [{ role: "system" as const, content: req.system }] : []), ...req.messages];
  return {
    name: "openai",
    async complete(req) {
      let res: OpenAI.Chat.Completions.ChatCompletion;
      try {
        res = await client.chat.completions.create({ model: req.model, messages: messages(req) });
      } catch (err) {
        throw toError(err);
      }
      const text = res.choices[0]?.message?.content?.trim() ?? "";
      if (!text) throw new AiProviderError("openai", "empty", "the answer had no text");
      const promptTokens = res.usage?.prompt_tokens ?? 0;
      const completionTokens = res.usage?.completion_tokens ?? 0;
      return { text, promptTokens, completionTokens, totalTokens: res.usage?.total_tokens ?? promptTokens + completionTokens };
    },
    async stream(req, onText, signal) {
      let text = "";
      let usage: OpenAI.CompletionUsage | undefined;
      try {
        const chunks = await client.chat.completions.create(
          { model: req.model, messages: messages(req), stream: true, stream_options: { include_usage: true } },
          { signal },
        );
        for await (const chunk of chunks) {
          const delta = chunk.choices[0]?.delta?.content ?? "";
          if (chunk.usage) usage = chunk.usage;
          if (delta) {
            text += delta;
            onText(text);
          }
          // Leaving the loop closes the stream (the SDK aborts the request).
          if (signal?.aborted) break;
        }
      } catch (err) {
        // Stopped on purpose (/cancel): what came so far is the answer.
        if (!signal?.aborted) throw toError(err);
      }
      text = text.trim();
      if (!text && !signal?.aborted) throw new AiProviderError("openai", "empty", "the streamed answer had no text");
      const promptTokens = usage?.prompt_tokens ?? 0;
      const completionTokens = usage?.completion_tokens ?? 0;
      return { text, promptTokens, completionTokens, totalTokens: usage?.total_tokens ?? promptTokens + completionTokens };
    },
  };
}
