// /admin/ai/: AI settings per bot (saved by the bots service, with the API's PATCH schema) and
// the last 7 days of usage.
import { desc, gte, sql } from "drizzle-orm";
import { effectiveLimits } from "../../ai/limits";
import { listBots, requireBot } from "../../db/bots";
import { nowSeconds } from "../../db/client";
import { aiUsage } from "../../db/schema";
import { parseWith } from "../../lib/validate";
import { botModes, createMode, createModeSchema, removeMode } from "../../services/ai-modes";
import { patchBotSchema } from "../../services/bot-input";
import { patchBot } from "../../services/bots";
import { dayString } from "../../stats/page-queries";
import { Csrf, Empty, fmtNum, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { ModesPanel } from "./admin-ai-modes";
import { formFields, outcomeOf, pagesApp, redirectWith, render } from "./common";

const BASE = "/admin/ai/";
const SCOPES = ["user", "chat", "bot"] as const;
const KINDS = ["day", "month"] as const;
const WHATS = ["requests", "tokens"] as const;
const SCOPE_LABEL = { user: "Per user", chat: "Per chat", bot: "Whole bot" };

/** The request and token limits (0 = no limit); the user's daily requests are the quota above. */
function LimitFields({ bot }: { bot: Parameters<typeof effectiveLimits>[0] }) {
  const lim = effectiveLimits(bot);
  return (
    <fieldset class="wide">
      <legend>Limits (0 = no limit)</legend>
      {SCOPES.map((scope) => (
        <div class="grid-form">
          <strong>{SCOPE_LABEL[scope]}</strong>
          {KINDS.flatMap((kind) =>
            WHATS.filter((what) => !(scope === "user" && kind === "day" && what === "requests")).map((what) => (
              <label>
                {`${what === "tokens" ? "Tokens" : "Replies"} per ${kind}`}
                <input name={`lim_${scope}_${kind}_${what}`} type="number" min={0} value={String(lim[scope][kind][what])} />
              </label>
            )),
          )}
        </div>
      ))}
    </fieldset>
  );
}

/** The form's limit fields as ai_limits (undefined when the form has none). */
function limitsFromForm(f: Record<string, string>) {
  if (!Object.keys(f).some((k) => k.startsWith("lim_"))) return undefined;
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const scope of SCOPES)
    for (const kind of KINDS)
      for (const what of WHATS) {
        const raw = f[`lim_${scope}_${kind}_${what}`];
        if (raw === undefined || raw.trim() === "") continue;
        const byKind = out[scope] ?? {};
        byKind[kind] = { ...byKind[kind], [what]: Number(raw) };
        out[scope] = byKind;
      }
  return out;
}

/** "-1001, -1002" as chat ids; null when empty; a string naming the bad entry otherwise. */
function allowlistFromForm(raw: string): number[] | null | string {
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const bad = parts.find((p) => !/^-\d{1,16}$/.test(p));
  return bad ? `Group allowlist: "${bad}" is not a group chat id (they start with -)` : parts.map(Number);
}

export const adminAiPages = pagesApp()
  .get("/", async (c) => {
    const all = await listBots(c.var.db);
    const since = dayString(nowSeconds() - 6 * 86400);
    const usage = await c.var.db
      .select({
        botId: aiUsage.botId,
        day: aiUsage.day,
        requests: sql<number>`sum(${aiUsage.requests})`,
        users: sql<number>`count(distinct ${aiUsage.userId})`,
        tokens: sql<number>`sum(${aiUsage.promptTokens} + ${aiUsage.completionTokens})`,
        failures: sql<number>`sum(${aiUsage.failures})`,
      })
      .from(aiUsage)
      .where(gte(aiUsage.day, since))
      .groupBy(aiUsage.botId, aiUsage.day)
      .orderBy(desc(aiUsage.day))
      .all();
    const csrf = c.get("csrfToken");
    const modes = new Map(await Promise.all(all.map(async (b) => [b.id, await botModes(c.var.db, b.id)] as const)));
    return render(
      c,
      { title: "AI settings and usage" },
      all.length === 0 ? (
        <Empty title="No bots yet">
          AI settings are per bot: <a href="/admin/bots/new">add a bot</a> first.
        </Empty>
      ) : (
        all.map((b) => {
          const mine = usage.filter((u) => u.botId === b.id);
          return (
            <section class="panel" aria-labelledby={`ai-${b.id}`}>
              <h2 id={`ai-${b.id}`}>{b.name}</h2>
              <form method="post" action={`${BASE}${b.id}`} class="grid-form">
                <Csrf token={csrf} />
                <label class="check">
                  <input type="checkbox" name="ai_enabled" value="1" checked={b.aiEnabled} /> AI replies enabled
                </label>
                <label>
                  Providers, in order
                  <select name="ai_providers">
                    {["openai,gemini", "gemini,openai", "openai", "gemini"].map((v) => (
                      <option value={v} selected={b.aiProviders.join(",") === v}>
                        {v.replace(",", " → ")}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  OpenAI model
                  <input name="openai_model" value={b.openaiModel} required />
                </label>
                <label>
                  Gemini model
                  <input name="gemini_model" value={b.geminiModel} required />
                </label>
                <label>
                  Messages remembered
                  <input name="ai_memory_messages" type="number" min={0} max={200} value={String(b.aiMemoryMessages)} />
                </label>
                <label>
                  Daily quota per user
                  <input name="ai_daily_quota" type="number" min={0} max={100000} value={String(b.aiDailyQuota)} />
                </label>
                <label class="wide">
                  Groups where the AI answers (chat ids, comma-separated; empty = every group)
                  <input name="ai_group_allowlist" value={(b.aiGroupAllowlist ?? []).join(", ")} placeholder="every group" />
                </label>
                <LimitFields bot={b} />
                <label class="wide">
                  System prompt
                  <textarea name="ai_system_prompt" rows={3}>
                    {b.aiSystemPrompt ?? ""}
                  </textarea>
                </label>
                <button type="submit" class="btn primary">
                  Save
                </button>
              </form>
              <ModesPanel botId={b.id} modes={modes.get(b.id) ?? []} csrf={csrf} />
              <h3>Usage, last 7 days</h3>
              {mine.length === 0 ? (
                <p class="muted">No AI requests in the last 7 days.</p>
              ) : (
                <Table
                  head={["Day", "Requests", "Users", "Tokens", "Failures"]}
                  cellClass={[undefined, "num", "num", "num", "num"]}
                  rows={mine.map((u) => [u.day, fmtNum(u.requests), fmtNum(u.users), fmtNum(u.tokens), fmtNum(u.failures)])}
                />
              )}
            </section>
          );
        })
      ),
    );
  })
  .post("/:id{[0-9]+}", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const f = await formFields(c);
    const allowlist = f.ai_group_allowlist === undefined ? undefined : allowlistFromForm(f.ai_group_allowlist);
    if (typeof allowlist === "string") return redirectWith(c, BASE, "error", allowlist);
    const limits = limitsFromForm(f);
    const patch = {
      ...(allowlist !== undefined && { ai_group_allowlist: allowlist }),
      ...(limits !== undefined && { ai_limits: limits }),
      ai_enabled: f.ai_enabled === "1",
      ai_providers: (f.ai_providers ?? "openai,gemini").split(",").filter(Boolean),
      openai_model: f.openai_model ?? "",
      gemini_model: f.gemini_model ?? "",
      ai_memory_messages: Number(f.ai_memory_messages),
      ai_daily_quota: Number(f.ai_daily_quota),
      ai_system_prompt: f.ai_system_prompt?.trim() ? f.ai_system_prompt : null,
    };
    const res = await outcomeOf(c, () => patchBot(svc(c), bot, parseWith(patchBotSchema, patch, "body")));
    return res.ok ? redirectWith(c, BASE, "ok", `AI settings of "${bot.name}" saved.`) : redirectWith(c, BASE, "error", res.message);
  })
  .post("/:id{[0-9]+}/modes", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const f = await formFields(c);
    const res = await outcomeOf(c, () =>
      createMode(c.var.db, bot.id, parseWith(createModeSchema, { name: f.name, prompt: f.prompt }, "form")),
    );
    return res.ok
      ? redirectWith(c, BASE, "ok", `Mode "${res.value.name}" added to "${bot.name}".`)
      : redirectWith(c, BASE, "error", res.message);
  })
  .post("/:id{[0-9]+}/modes/:mode_id{[0-9]+}/delete", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.param("id")));
    const res = await outcomeOf(c, () => removeMode(c.var.db, bot.id, Number(c.req.param("mode_id"))));
    return res.ok ? redirectWith(c, BASE, "ok", `Mode deleted from "${bot.name}".`) : redirectWith(c, BASE, "error", res.message);
  });
