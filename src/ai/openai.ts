// OpenAI chat completions through the official SDK (base URL from OPENAI_BASE_URL).
import OpenAI from "openai";
import { AI_TIMEOUT_MS, type AiProvider, AiProviderError, type CompletionRequest, failureKind } from "./provider";

export function openaiProvider(apiKey: string, baseURL?: string): AiProvider {
  // Retries off: on a failure the chain moves on to the next provider instead.
  const client = new OpenAI({ apiKey, baseURL: baseURL || undefined, maxRetries: 0, timeout: AI_TIMEOUT_MS });
  return {
    name: "openai",
    async complete(req: CompletionRequest) {
      let res: OpenAI.Chat.Completions.ChatCompletion;
      try {
        res = await client.chat.completions.create({
          model: req.model,
          messages: [...(req.system ? [{ role: "system" as const, content: req.system }] : []), ...req.messages],
        });
      } catch (err) {
        const status = err instanceof OpenAI.APIError ? err.status : undefined;
        throw new AiProviderError("openai", failureKind(status, err), err instanceof Error ? err.message : String(err), status);
      }
      const text = res.choices[0]?.message?.content?.trim() ?? "";
      if (!text) throw new AiProviderError("openai", "empty", "the answer had no text");
      const promptTokens = res.usage?.prompt_tokens ?? 0;
      const completionTokens = res.usage?.completion_tokens ?? 0;
      return { text, promptTokens, completionTokens, totalTokens: res.usage?.total_tokens ?? promptTokens + completionTokens };
    },
  };
}
