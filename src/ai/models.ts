// The models a chat may pick with /model: a fixed list per provider (plus each bot's own
// configured model), so a chat can never send an arbitrary model string to a provider.
import type { BotRow } from "../db/bots";
import type { AiProviderName } from "../db/schema";

export const ALLOWED_MODELS: Record<AiProviderName, readonly string[]> = {
  openai: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1"],
  gemini: ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash"],
};

export interface ModelOption {
  provider: AiProviderName;
  model: string;
}

/** Every model this bot's chats may choose, in a stable order (the /model keyboard's indexes). */
export function modelOptions(bot: Pick<BotRow, "aiProviders" | "openaiModel" | "geminiModel">): ModelOption[] {
  const out: ModelOption[] = [];
  for (const provider of bot.aiProviders ?? ["openai", "gemini"]) {
    const own = provider === "openai" ? bot.openaiModel : bot.geminiModel;
    for (const model of [own, ...ALLOWED_MODELS[provider]]) {
      if (!out.some((o) => o.provider === provider && o.model === model)) out.push({ provider, model });
    }
  }
  return out;
}

/** The option a stored chat model names, or undefined when it is no longer allowed. */
export function findModel(bot: Pick<BotRow, "aiProviders" | "openaiModel" | "geminiModel">, model: string | null | undefined) {
  if (!model) return undefined;
  return modelOptions(bot).find((o) => o.model === model);
}
