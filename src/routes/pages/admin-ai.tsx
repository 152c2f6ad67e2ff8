// /admin/ai/: AI settings per bot (saved through PATCH /api/bots/{id}) and the last 7 days of usage.
import { desc, gte, sql } from "drizzle-orm";
import { listBots, requireBot } from "../../db/bots";
import { nowSeconds } from "../../db/client";
import { aiUsage } from "../../db/schema";
import { Csrf, Empty, fmtNum, Table } from "../../views/components";
import { formFields, pagesApp, redirectWith, render } from "./common";
import { internalApi } from "./internal-api";
import { dayString } from "./stats-queries";

const BASE = "/admin/ai/";

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
                  System prompt
                  <textarea name="ai_system_prompt" rows={3}>
                    {b.aiSystemPrompt ?? ""}
                  </textarea>
                </label>
                <button type="submit" class="btn primary">
                  Save
                </button>
              </form>
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
    const res = await internalApi(c, "PATCH", `/api/bots/${bot.id}`, {
      ai_enabled: f.ai_enabled === "1",
      ai_providers: (f.ai_providers ?? "openai,gemini").split(",").filter(Boolean),
      openai_model: f.openai_model ?? "",
      gemini_model: f.gemini_model ?? "",
      ai_memory_messages: Number(f.ai_memory_messages),
      ai_daily_quota: Number(f.ai_daily_quota),
      ai_system_prompt: f.ai_system_prompt?.trim() ? f.ai_system_prompt : null,
    });
    return res.ok ? redirectWith(c, BASE, "ok", `AI settings of "${bot.name}" saved.`) : redirectWith(c, BASE, "error", res.message);
  });
