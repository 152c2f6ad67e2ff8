// What a caller may give to create or change a bot, and how it maps onto the bots table.
// zod only: the JSON API and the dashboard forms both parse with these, so a form gets the
// same "Invalid body: ..." answer the API gives.
import { z } from "zod";
import { aiLimitsSchema } from "../ai/limits";
import type { bots } from "../db/schema";
import { withSafeLinks } from "../lib/validate";

const tokenSchema = z
  .string()
  .trim()
  .regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, "does not look like a Telegram bot token (digits:secret)");

const settingsSchema = {
  is_active: z.boolean(),
  welcome_text: withSafeLinks(z.string().max(4096)).nullable(),
  info_text: withSafeLinks(z.string().max(4096)).nullable(),
  contact_text: withSafeLinks(z.string().max(4096)).nullable(),
  ai_enabled: z.boolean(),
  ai_providers: z
    .array(z.enum(["openai", "gemini"]))
    .min(1)
    .max(2)
    .refine((a) => new Set(a).size === a.length, "providers must not repeat"),
  openai_model: z.string().min(1).max(100),
  gemini_model: z.string().min(1).max(100),
  ai_system_prompt: z.string().max(8000).nullable(),
  ai_memory_messages: z.number().int().min(0).max(200),
  ai_daily_quota: z.number().int().min(0).max(100_000),
  // Partial limits; what is left out takes the defaults (GET answers the effective ones).
  ai_limits: aiLimitsSchema.nullable(),
  // Groups where the AI answers (Telegram chat ids); null = every group.
  ai_group_allowlist: z
    .array(
      z
        .number()
        .int()
        .refine((n) => n < 0 && Number.isSafeInteger(n), "a group chat id (negative)"),
    )
    .max(1000)
    .nullable(),
  // Paid broadcasts (Telegram Stars) past 30 messages/s; admins only, like every bot change.
  allow_paid_broadcast: z.boolean(),
};

const nameSchema = z.string().trim().min(1).max(100);

export const createBotSchema = z.strictObject({
  name: nameSchema,
  token: tokenSchema,
  username: z.string().trim().max(64).optional(),
  ...z.object(settingsSchema).partial().shape,
});
export type CreateBotInput = z.infer<typeof createBotSchema>;

export const patchBotSchema = z
  .strictObject({ name: nameSchema, token: tokenSchema, ...settingsSchema })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type PatchBotInput = z.infer<typeof patchBotSchema>;

type Settings = Partial<z.infer<z.ZodObject<typeof settingsSchema>>>;

/** The settings a caller gave, as bots columns (what is left out stays as it is). */
export function settingsColumns(v: Settings): Partial<typeof bots.$inferInsert> {
  return {
    ...(v.is_active !== undefined && { isActive: v.is_active }),
    ...(v.welcome_text !== undefined && { welcomeText: v.welcome_text }),
    ...(v.info_text !== undefined && { infoText: v.info_text }),
    ...(v.contact_text !== undefined && { contactText: v.contact_text }),
    ...(v.ai_enabled !== undefined && { aiEnabled: v.ai_enabled }),
    ...(v.ai_providers !== undefined && { aiProviders: v.ai_providers }),
    ...(v.openai_model !== undefined && { openaiModel: v.openai_model }),
    ...(v.gemini_model !== undefined && { geminiModel: v.gemini_model }),
    ...(v.ai_system_prompt !== undefined && { aiSystemPrompt: v.ai_system_prompt }),
    ...(v.ai_memory_messages !== undefined && { aiMemoryMessages: v.ai_memory_messages }),
    ...(v.ai_daily_quota !== undefined && { aiDailyQuota: v.ai_daily_quota }),
    ...(v.ai_limits !== undefined && { aiLimits: v.ai_limits }),
    ...(v.allow_paid_broadcast !== undefined && { allowPaidBroadcast: v.allow_paid_broadcast }),
    ...(v.ai_group_allowlist !== undefined && { aiGroupAllowlist: v.ai_group_allowlist ? [...new Set(v.ai_group_allowlist)] : null }),
  };
}
