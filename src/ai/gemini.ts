// Gemini through @google/genai (base URL from GEMINI_BASE_URL). The SDK calls
// POST {base}/v1beta/models/{model}:generateContent (streamed: :streamGenerateContent?alt=sse)
// with the key in x-goog-api-key.
import { ApiError, type GenerateContentParameters, type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { AI_TIMEOUT_MS, type AiProvider, AiProviderError, type CompletionRequest, type CompletionResult, failureKind } from "./provider";

function toError(err: unknown): AiProviderError {
  const status = err instanceof ApiError ? err.status : undefined;
  return new AiProviderError("gemini", failureKind(status, err), err instanceof Error ? err.message : String(err), status);
}

function usageOf(res: GenerateContentResponse | undefined, text: string): CompletionResult {
  const promptTokens = res?.usageMetadata?.promptTokenCount ?? 0;
  const completionTokens = res?.usageMetadata?.candidatesTokenCount ?? 0;
  return { text, promptTokens, completionTokens, totalTokens: res?.usageMetadata?.totalTokenCount ?? promptTokens + completionTokens };
}

export function geminiProvider(apiKey: string, baseUrl?: string): AiProvider {
  const client = new GoogleGenAI({ apiKey, httpOptions: { ...(baseUrl ? { baseUrl } : {}), timeout: AI_TIMEOUT_MS } });
  const params = (req: CompletionRequest, signal?: AbortSignal): GenerateContentParameters => ({
    model: req.model,
    contents: req.messages.map((m) => ({ role: m.role === "assistant" ? "model" : "user", parts: [{ text: m.content }] })),
    config: { ...(req.system ? { systemInstruction: req.system } : {}), ...(signal ? { abortSignal: signal } : {}) },
  });
  return {
    name: "gemini",
    async complete(req) {
      let res: GenerateContentResponse;
      try {
        res = await client.models.generateContent(params(req));
      } catch (err) {
        throw toError(err);
      }
      const text = res.text?.trim() ?? "";
      if (!text) throw new AiProviderError("gemini", "empty", "the answer had no text");
      return usageOf(res, text);
    },
    async stream(req, onText, signal) {
      let text = "";
      let last: GenerateContentResponse | undefined;
      try {
        for await (const chunk of await client.models.generateContentStream(params(req, signal))) {
          last = chunk.usageMetadata ? chunk : (last ?? chunk);
          const delta = chunk.text ?? "";
          if (delta) {
            text += delta;
            onText(text);
          }
          if (signal?.aborted) break;
        }
      } catch (err) {
        if (!signal?.aborted) throw toError(err);
      }
      text = text.trim();
      if (!text && !signal?.aborted) throw new AiProviderError("gemini", "empty", "the streamed answer had no text");
      return usageOf(last, text);
    },
  };
}
