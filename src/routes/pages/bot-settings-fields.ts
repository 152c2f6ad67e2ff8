// The bot edit form's fields as plain strings, both ways: a bot row → the values the form
// shows, and the posted values → the PATCH API's input, checked with the API's own zod
// schema (patchBotSchema). Each refusal is keyed by the form field it belongs to, so the
// page can show it next to that field and keep everything that was typed.
import type { z } from "zod";
import { effectiveLimits } from "../../ai/limits";
import type { BotRow } from "../../db/bots";
import { type PatchBotInput, patchBotSchema } from "../../services/bot-input";

export const LIMIT_SCOPES = ["user", "chat", "bot"] as const;
export const LIMIT_KINDS = ["day", "month"] as const;
export const LIMIT_WHATS = ["requests", "tokens"] as const;
/** Provider orders the form offers (the API takes any order of one or both). */
export const PROVIDER_ORDERS = ["openai,gemini", "gemini,openai", "openai", "gemini"];

type Scope = (typeof LIMIT_SCOPES)[number];
type Kind = (typeof LIMIT_KINDS)[number];
type What = (typeof LIMIT_WHATS)[number];

export const limitField = (scope: Scope, kind: Kind, what: What) => `lim_${scope}_${kind}_${what}`;
/** The user's replies per day are ai_daily_quota, its own field. */
export const limitHasField = (scope: Scope, kind: Kind, what: What) => !(scope === "user" && kind === "day" && what === "requests");

export type FormValues = Record<string, string>;
/** Field name → why it was refused; "_form" for what belongs to no one field. */
export type FieldErrors = Record<string, string>;

const TEXT_FIELDS = ["welcome_text", "info_text", "contact_text", "ai_system_prompt"] as const;
const NUMBER_FIELDS = ["ai_memory_messages", "ai_daily_quota"] as const;

/** What the form shows for a bot (the token never: it is write-only). */
export function formValuesOf(bot: BotRow): FormValues {
  const v: FormValues = {
    name: bot.name,
    token: "",
    is_active: bot.isActive ? "1" : "",
    allow_paid_broadcast: bot.allowPaidBroadcast ? "1" : "",
    welcome_text: bot.welcomeText ?? "",
    info_text: bot.infoText ?? "",
    contact_text: bot.contactText ?? "",
    ai_enabled: bot.aiEnabled ? "1" : "",
    ai_providers: bot.aiProviders.join(","),
    openai_model: bot.openaiModel,
    gemini_model: bot.geminiModel,
    ai_system_prompt: bot.aiSystemPrompt ?? "",
    ai_memory_messages: String(bot.aiMemoryMessages),
    ai_daily_quota: String(bot.aiDailyQuota),
    ai_group_allowlist: (bot.aiGroupAllowlist ?? []).join(", "),
  };
  const lim = effectiveLimits(bot);
  for (const s of LIMIT_SCOPES)
    for (const k of LIMIT_KINDS) for (const w of LIMIT_WHATS) if (limitHasField(s, k, w)) v[limitField(s, k, w)] = String(lim[s][k][w]);
  return v;
}

const WHOLE = /^\d{1,12}$/;

/** The posted form as a PATCH input, or the errors per field (nothing is saved then). */
export function patchFromForm(f: FormValues): { ok: true; input: PatchBotInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const raw: Record<string, unknown> = {
    name: f.name ?? "",
    // Checkboxes: a browser posts a checked box and leaves an unchecked one out.
    is_active: f.is_active === "1",
    allow_paid_broadcast: f.allow_paid_broadcast === "1",
    ai_enabled: f.ai_enabled === "1",
    ai_providers: (f.ai_providers ?? "").split(",").filter(Boolean),
    openai_model: (f.openai_model ?? "").trim(),
    gemini_model: (f.gemini_model ?? "").trim(),
  };
  // An empty box clears the text (null), as the API's null does.
  for (const k of TEXT_FIELDS) raw[k] = f[k]?.trim() ? f[k] : null;
  if (f.token?.trim()) raw.token = f.token.trim();
  for (const k of NUMBER_FIELDS) {
    const s = (f[k] ?? "").trim();
    if (WHOLE.test(s)) raw[k] = Number(s);
    else errors[k] = "A whole number (0 or more).";
  }
  const limits: Record<string, Record<string, Record<string, number>>> = {};
  for (const s of LIMIT_SCOPES)
    for (const k of LIMIT_KINDS)
      for (const w of LIMIT_WHATS) {
        const name = limitField(s, k, w);
        if (!limitHasField(s, k, w) || f[name] === undefined) continue;
        const v = f[name].trim();
        if (!WHOLE.test(v)) {
          errors[name] = "A whole number (0 = no limit).";
          continue;
        }
        const byKind = limits[s] ?? {};
        byKind[k] = { ...byKind[k], [w]: Number(v) };
        limits[s] = byKind;
      }
  raw.ai_limits = limits;
  const allow = allowlistOf(f.ai_group_allowlist ?? "");
  if (typeof allow === "string") errors.ai_group_allowlist = allow;
  else raw.ai_group_allowlist = allow;

  const parsed = patchBotSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      errors[field] ??= readable(issue);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}

/** "-1001, -1002" as chat ids; null when empty; the reason when an entry is not a group id. */
function allowlistOf(raw: string): number[] | null | string {
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const bad = parts.find((p) => !/^-\d{1,16}$/.test(p));
  return bad ? `"${bad}" is not a group chat id (they start with -).` : parts.map(Number);
}

/** zod's size refusals in a person's words; the rest (the schema's own messages) as they are. */
function readable(issue: z.core.$ZodIssue): string {
  if (issue.code === "too_small") {
    if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "Required." : `At least ${issue.minimum} characters.`;
    if (issue.origin === "number") return `At least ${issue.minimum}.`;
  }
  if (issue.code === "too_big") {
    if (issue.origin === "string") return `At most ${issue.maximum} characters.`;
    if (issue.origin === "number") return `At most ${issue.maximum}.`;
  }
  return issue.message;
}

/** A zod issue path → the form field it is about. */
function fieldOf(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (!head) return "_form";
  if (head === "ai_limits" && rest.length === 3) return `lim_${rest.join("_")}`;
  return head;
}
