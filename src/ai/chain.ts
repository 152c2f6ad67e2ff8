// The per-bot provider order with fallback: the next provider is tried when one fails
// (quota 429, 5xx, timeout — and any other failure, since a different provider may still
// answer). Providers whose API key is not configured are skipped. A chat's chosen model
// puts its provider first and replaces that provider's model.
//
// Streaming: each provider is asked to stream; when it cannot stream (refused, or a stream
// without text), the same provider is asked for the finished text; when it is failing
// (quota, 5xx, timeout), the next provider is tried.
import type { BotRow } from "../db/bots";
import type { AiProviderName } from "../db/schema";
import type { Env } from "../env";
import type { Logger } from "../lib/log";
import { geminiProvider } from "./gemini";
import type { ModelOption } from "./models";
import { openaiProvider } from "./openai";
import { type AiProvider, AiProviderError, type ChatTurn, type CompletionResult } from "./provider";

export interface ChainAnswer extends CompletionResult {
  provider: AiProviderName;
  /** True when the text came through a stream (false: the finished-text fallback). */
  streamed: boolean;
}

type BotModels = Pick<BotRow, "openaiModel" | "geminiModel">;

export function providersFor(env: Env, bot: Pick<BotRow, "aiProviders">, chatModel?: ModelOption): AiProvider[] {
  const out: AiProvider[] = [];
  for (const name of bot.aiProviders ?? ["openai", "gemini"]) {
    if (name === "openai" && env.OPENAI_API_KEY) out.push(openaiProvider(env.OPENAI_API_KEY, env.OPENAI_BASE_URL));
    if (name === "gemini" && env.GEMINI_API_KEY) out.push(geminiProvider(env.GEMINI_API_KEY, env.GEMINI_BASE_URL));
  }
  if (chatModel) out.sort((a, b) => Number(b.name === chatModel.provider) - Number(a.name === chatModel.provider));
  return out;
}

export function modelFor(bot: BotModels, provider: AiProviderName, chatModel?: ModelOption): string {
  if (chatModel?.provider === provider) return chatModel.model;
  return provider === "openai" ? bot.openaiModel : bot.geminiModel;
}

export interface StreamOptions {
  onText: (soFar: string) => void;
  signal?: AbortSignal;
}

/** The first provider's answer that succeeds, or null when every one failed. */
export async function completeWithFallback(
  providers: AiProvider[],
  bot: BotModels,
  system: string,
  messages: ChatTurn[],
  log: Logger,
  opts: { stream?: StreamOptions; chatModel?: ModelOption } = {},
): Promise<ChainAnswer | null> {
  const { stream, chatModel } = opts;
  for (const p of providers) {
    const req = { model: modelFor(bot, p.name, chatModel), system, messages };
    if (stream) {
      try {
        return { ...(await p.stream(req, stream.onText, stream.signal)), provider: p.name, streamed: true };
      } catch (err) {
        if (stream.signal?.aborted) return null;
        // Quota, 5xx, timeout, network: the provider is failing, the next one is tried.
        // Refused or empty (it cannot stream this): the same provider's finished text.
        const kind = err instanceof AiProviderError ? err.kind : "network";
        if (kind !== "refused" && kind !== "empty") {
          log.warn("AI provider failed, trying the next", { provider: p.name, error: describe(err) });
          continue;
        }
        log.warn("AI stream not available; asking for the finished text", { provider: p.name, error: describe(err) });
      }
    }
    try {
      return { ...(await p.complete(req)), provider: p.name, streamed: false };
    } catch (err) {
      log.warn("AI provider failed, trying the next", { provider: p.name, error: describe(err) });
    }
  }
  return null;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
