// Gemini through @google/genai (base URL from GEMINI_BASE_URL). The SDK calls
// POST {base}/v1beta/models/{model}:generateContent with the key in x-goog-api-key.
import { ApiError, type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { AI_TIMEOUT_MS, type AiProvider, AiProviderError, type CompletionRequest, failureKind } from "./provider";

export function geminiProvider(apiKey: string, baseUrl?: string): AiProvider {
  const client = new GoogleGenAI({ apiKey, httpOptions: { ...(baseUrl ? { baseUrl } : {}), timeout: AI_TIMEOUT_MS } });
  return {
    name: "gemini",
    async complete(req: CompletionRequest) {
      let res: GenerateContentResponse;
      try {
        res = await client.models.generateContent({
          model: req.model,
          contents: req.messages.map((m) => ({ role: m.role === "assistant" ? "model" : "user", parts: [{ text: m.content }] })),
          config: req.system ? { systemInstruction: req.system } : undefined,
        });
      } catch (err) {
        const status = err instanceof ApiError ? err.status : undefined;
        throw new AiProviderError("gemini", failureKind(status, err), err instanceof Error ? err.message : String(err), status);
      }
      const text = res.text?.trim() ?? "";
      if (!text) throw new AiProviderError("gemini", "empty", "the answer had no text");
      const promptTokens = res.usageMetadata?.promptTokenCount ?? 0;
      const completionTokens = res.usageMetadata?.candidatesTokenCount ?? 0;
      return { text, promptTokens, completionTokens, totalTokens: res.usageMetadata?.totalTokenCount ?? promptTokens + completionTokens };
    },
  };
}
