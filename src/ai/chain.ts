// The per-bot provider order with fallback: the next provider is tried when one fails
// (quota 429, 5xx, timeout — and any other failure, since a different provider may still
// answer). Providers whose API key is not configured are skipped.
import type { BotRow } from "../db/bots";
import type { AiProviderName } from "../db/schema";
import type { Env } from "../env";
import type { Logger } from "../lib/log";
import { geminiProvider } from "./gemini";
import { openaiProvider } from "./openai";
import type { AiProvider, ChatTurn, CompletionResult } from "./provider";

export interface ChainAnswer extends CompletionResult {
  provider: AiProviderName;
}

export function providersFor(env: Env, bot: Pick<BotRow, "aiProviders">): AiProvider[] {
  const out: AiProvider[] = [];
  for (const name of bot.aiProviders ?? ["openai", "gemini"]) {
    if (name === "openai" && env.OPENAI_API_KEY) out.push(openaiProvider(env.OPENAI_API_KEY, env.OPENAI_BASE_URL));
    if (name === "gemini" && env.GEMINI_API_KEY) out.push(geminiProvider(env.GEMINI_API_KEY, env.GEMINI_BASE_URL));
  }
  return out;
}

export function modelFor(bot: Pick<BotRow, "openaiModel" | "geminiModel">, provider: AiProviderName): string {
  return provider === "openai" ? bot.openaiModel : bot.geminiModel;
}

/** The first provider's answer that succeeds, or null when every one failed. */
export async function completeWithFallback(
  providers: AiProvider[],
  bot: Pick<BotRow, "openaiModel" | "geminiModel">,
  system: string,
  messages: ChatTurn[],
  log: Logger,
): Promise<ChainAnswer | null> {
  for (const p of providers) {
    try {
      const res = await p.complete({ model: modelFor(bot, p.name), system, messages });
      return { ...res, provider: p.name };
    } catch (err) {
      log.warn("AI provider failed, trying the next", { provider: p.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return null;
}
