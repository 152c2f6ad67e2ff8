// The bot edit form: every setting PATCH /api/bots/{id} accepts, grouped the way people think
// of them (the bot, its texts, its AI). A refused field shows its reason right under it and
// keeps what was typed; the token is write-only (an empty box keeps the current one).
import type { Child } from "hono/jsx";
import { Csrf } from "../../views/components";
import {
  type FieldErrors,
  type FormValues,
  LIMIT_KINDS,
  LIMIT_SCOPES,
  LIMIT_WHATS,
  limitField,
  limitHasField,
  PROVIDER_ORDERS,
} from "./bot-settings-fields";

const SCOPE_LABEL = { user: "Per user", chat: "Per chat", bot: "Whole bot" };

function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  const e = errors[name];
  return e ? (
    <small class="field-error" id={`${name}-error`} role="alert">
      {e}
    </small>
  ) : null;
}

/** A labelled control with its error below; `wide` spans the form's width. */
function Field(p: { name: string; label: string; errors: FieldErrors; wide?: boolean; hint?: string; children: Child }) {
  return (
    <div class={`field${p.wide ? " wide" : ""}${p.errors[p.name] ? " invalid" : ""}`}>
      <label for={p.name}>{p.label}</label>
      {p.children}
      {p.hint ? <small class="muted">{p.hint}</small> : null}
      <FieldError errors={p.errors} name={p.name} />
    </div>
  );
}

const invalid = (errors: FieldErrors, name: string) =>
  errors[name] ? { "aria-invalid": "true", "aria-describedby": `${name}-error` } : {};

function TextArea(p: { name: string; v: FormValues; errors: FieldErrors; rows?: number; placeholder?: string }) {
  return (
    <textarea id={p.name} name={p.name} rows={p.rows ?? 3} placeholder={p.placeholder} {...invalid(p.errors, p.name)}>
      {p.v[p.name] ?? ""}
    </textarea>
  );
}

export function BotSettingsForm(p: { csrf?: string; action: string; values: FormValues; errors: FieldErrors }) {
  const { values: v, errors } = p;
  const input = (name: string, extra: Record<string, unknown> = {}) => (
    <input id={name} name={name} value={v[name] ?? ""} {...extra} {...invalid(errors, name)} />
  );
  const count = Object.keys(errors).length;
  return (
    <form method="post" action={p.action} class="settings-form" novalidate>
      <Csrf token={p.csrf} />
      {count ? (
        <div class="notice error" role="alert">
          {errors._form ?? `Nothing was saved: ${count === 1 ? "one field needs" : `${count} fields need`} a change (marked below).`}
        </div>
      ) : null}

      <fieldset class="panel grid-form">
        <legend>The bot</legend>
        <Field name="name" label="Name (yours, unique)" errors={errors}>
          {input("name", { maxlength: 100, required: true })}
        </Field>
        <Field name="token" label="New token" errors={errors} hint="Leave empty to keep the current one; it is never shown.">
          <input id="token" name="token" type="password" autocomplete="off" placeholder="123456:ABC…" {...invalid(errors, "token")} />
        </Field>
        <div class="field">
          <label class="check">
            <input type="checkbox" name="is_active" value="1" checked={v.is_active === "1"} /> Active (receives updates)
          </label>
          <FieldError errors={errors} name="is_active" />
        </div>
        <div class="field">
          <label class="check">
            <input type="checkbox" name="allow_paid_broadcast" value="1" checked={v.allow_paid_broadcast === "1"} /> Paid broadcasts
            (allow_paid_broadcast: up to 1,000 messages/s, charged in Telegram Stars)
          </label>
          <FieldError errors={errors} name="allow_paid_broadcast" />
        </div>
      </fieldset>

      <fieldset class="panel grid-form">
        <legend>Texts</legend>
        <Field name="welcome_text" label="Welcome text (/start)" errors={errors} wide>
          <TextArea name="welcome_text" v={v} errors={errors} placeholder="The built-in welcome" />
        </Field>
        <Field name="info_text" label="Info text (/info)" errors={errors} wide>
          <TextArea name="info_text" v={v} errors={errors} placeholder="The built-in info text" />
        </Field>
        <Field name="contact_text" label="Contact text (/contact)" errors={errors} wide>
          <TextArea name="contact_text" v={v} errors={errors} placeholder="The built-in contact text" />
        </Field>
      </fieldset>

      <fieldset class="panel grid-form">
        <legend>AI replies</legend>
        <div class="field">
          <label class="check">
            <input type="checkbox" name="ai_enabled" value="1" checked={v.ai_enabled === "1"} /> AI replies enabled
          </label>
          <FieldError errors={errors} name="ai_enabled" />
        </div>
        <Field name="ai_providers" label="Providers, in order" errors={errors}>
          <select id="ai_providers" name="ai_providers" {...invalid(errors, "ai_providers")}>
            {PROVIDER_ORDERS.map((o) => (
              <option value={o} selected={v.ai_providers === o}>
                {o.replace(",", " → ")}
              </option>
            ))}
          </select>
        </Field>
        <Field name="openai_model" label="OpenAI model" errors={errors}>
          {input("openai_model", { maxlength: 100 })}
        </Field>
        <Field name="gemini_model" label="Gemini model" errors={errors}>
          {input("gemini_model", { maxlength: 100 })}
        </Field>
        <Field name="ai_memory_messages" label="Messages remembered per chat" errors={errors} hint="0 to 200">
          {input("ai_memory_messages", { inputmode: "numeric" })}
        </Field>
        <Field name="ai_daily_quota" label="Replies per user per day" errors={errors} hint="0 = no limit">
          {input("ai_daily_quota", { inputmode: "numeric" })}
        </Field>
        <Field
          name="ai_group_allowlist"
          label="Groups where the AI answers"
          errors={errors}
          wide
          hint="Group chat ids, comma-separated; empty = every group."
        >
          {input("ai_group_allowlist", { placeholder: "every group" })}
        </Field>
        <Field name="ai_system_prompt" label="System prompt" errors={errors} wide>
          <TextArea name="ai_system_prompt" v={v} errors={errors} rows={4} placeholder="The built-in prompt" />
        </Field>
        <div class="wide">
          <strong>Limits</strong> <small class="muted">(0 = no limit; replies per user per day is the quota above)</small>
        </div>
        {LIMIT_SCOPES.map((scope) => (
          <div class="wide limit-row">
            <strong>{SCOPE_LABEL[scope]}</strong>
            {LIMIT_KINDS.flatMap((kind) =>
              LIMIT_WHATS.filter((what) => limitHasField(scope, kind, what)).map((what) => {
                const name = limitField(scope, kind, what);
                return (
                  <Field name={name} label={`${what === "tokens" ? "Tokens" : "Replies"} per ${kind}`} errors={errors}>
                    {input(name, { inputmode: "numeric" })}
                  </Field>
                );
              }),
            )}
          </div>
        ))}
      </fieldset>

      <button type="submit" class="btn primary">
        Save
      </button>
    </form>
  );
}
