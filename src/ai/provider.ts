// The AI provider interface: one chat completion, answered as text plus token usage.
// Real implementations: openai.ts and gemini.ts; tests fake their HTTP APIs.
import type { AiProviderName } from "../db/schema";

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface CompletionRequest {
  model: string;
  system: string;
  messages: ChatTurn[];
}

export interface CompletionResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** The provider's own total (OpenAI usage.total_tokens, Gemini usageMetadata.totalTokenCount). */
  totalTokens: number;
}

export interface AiProvider {
  readonly name: AiProviderName;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /**
   * The same answer, streamed: `onText` gets the text so far after each chunk. Stops (and
   * answers what came so far) when `signal` aborts. Throws like complete() on failure.
   */
  stream(req: CompletionRequest, onText: (soFar: string) => void, signal?: AbortSignal): Promise<CompletionResult>;
}

/** Why a provider failed: the fallback chain logs it and moves to the next provider. */
export class AiProviderError extends Error {
  override readonly name = "AiProviderError";
  constructor(
    readonly provider: AiProviderName,
    readonly kind: "quota" | "server" | "timeout" | "network" | "refused" | "empty",
    message: string,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
  }
}

/** Maps an HTTP status (or none) to the failure kind. */
export function failureKind(status: number | undefined, err: unknown): AiProviderError["kind"] {
  if (status === 429) return "quota";
  if (status !== undefined && status >= 500) return "server";
  const name = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  if (/timeout|timed out|abort/i.test(name)) return "timeout";
  if (status === undefined) return "network";
  return "refused";
}

/** Per-request timeout for a provider call, after which the next provider is tried. */
export const AI_TIMEOUT_MS = 25_000;
