// GET /studio/social/telegram-stats/ (the dashboard), GET .../export.csv (streamed CSV)
// and POST .../refresh (recollects the selected bot's statistics).

import { z } from "zod";
import { listBots, requireBot } from "../../db/bots";
import { parseWith } from "../../lib/validate";
import { collectStaleInBackground, staleChatCount } from "../../services/stats-refresh";
import { toAppError } from "../../services/to-app-error";
import { getBotChatsStats } from "../../stats";
import { analytics, chatErrors, chatOptions, chatStatRows, chatTotals, errorText, pageSearchTerm } from "../../stats/page-queries";
import { Empty } from "../../views/components";
import { StatsPage } from "../../views/pages/telegram-stats";
import { type Ctx, pageRows, pagesApp, paging, redirectWith, render } from "./common";
import { csvCell, csvStream } from "./csv";

const BASE = "/studio/social/telegram-stats/";
const PAGE = 200;
/** ?chat_ids=-1001,-1002 (at most a page of rows). */
const rowsQuery = z
  .string()
  .regex(/^(-?\d{1,16})(,-?\d{1,16}){0,199}$|^$/, "chat ids, comma-separated (at most 200)")
  .transform((v) => (v ? v.split(",").map(Number) : []));

/** The bots for a selector, and the selected one (?bot_id, else the first). */
export async function botChoice(c: Ctx) {
  const all = await listBots(c.var.db);
  const bots = all.map((b) => ({ id: b.id, name: b.name, username: b.username }));
  const wanted = Number(c.req.query("bot_id"));
  const botId = bots.find((b) => b.id === wanted)?.id ?? bots[0]?.id;
  return { bots, botId };
}

export const telegramStatsPages = pagesApp()
  .get("/", async (c) => {
    const { db } = c.var;
    const { bots, botId } = await botChoice(c);
    const q = pageSearchTerm(c.req.query("q"));
    const pg = paging(c, PAGE);
    const chatRaw = c.req.query("chat_id") ?? "";
    const chatId = /^-?\d{1,16}$/.test(chatRaw) ? Number(chatRaw) : undefined;
    if (!botId) {
      return render(
        c,
        { title: "Telegram statistics" },
        <Empty title="No bots yet">
          Statistics appear once a bot is registered. <a href="/admin/bots/new">Add a bot</a> first.
        </Empty>,
      );
    }
    const [totals, found, errors, stats, options] = await Promise.all([
      chatTotals(db, botId),
      chatStatRows(db, botId, { q, limit: pg.limit, offset: pg.offset }),
      chatErrors(db, botId),
      analytics(db, botId, chatId),
      chatOptions(db, botId),
    ]);
    const { rows, hasNext } = pageRows(found, PAGE);
    const collecting = await collectStaleInBackground(c.env, db, botId).then(
      (r) => r.stale,
      (err) => {
        c.var.log.warn("background statistics collection did not start", { bot_id: botId, error: err });
        return null;
      },
    );
    return render(
      c,
      {
        title: "Telegram statistics",
        scripts: ["/vendor/uplot/uPlot.iife.min.js", "/js/stats.js", "/js/stats-refresh.js"],
        styles: ["/vendor/uplot/uPlot.min.css", "/css/settings.css"],
      },
      <StatsPage
        bots={bots}
        botId={botId}
        q={q}
        totals={totals}
        rows={rows}
        errors={errors.map((e) => ({ chatId: e.chatId, title: e.title, message: errorText(e.error), collectedAt: e.collectedAt }))}
        analytics={stats}
        csrf={c.get("csrfToken")}
        url={c.req.url}
        page={pg.page}
        hasNext={hasNext}
        errorOf={errorText}
        chatId={chatId}
        chatOptions={options}
        collecting={collecting}
      />,
    );
  })
  // What stats-refresh.js polls while a background collection runs: the rows it asks for,
  // as the table shows them, and how many chats are still stale.
  .get("/rows.json", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, Number(c.req.query("bot_id")));
    const ids = parseWith(rowsQuery, c.req.query("chat_ids") ?? "", "query");
    const [rows, stale, totals] = await Promise.all([
      ids.length ? chatStatRows(db, bot.id, { chatIds: ids, limit: ids.length }) : [],
      staleChatCount(db, bot.id),
      chatTotals(db, bot.id),
    ]);
    return c.json(
      {
        bot_id: bot.id,
        stale,
        // For the summary cards: members is a count only where collected_chats > 0.
        totals: {
          members: totals.members,
          collected_chats: totals.collected,
          by_type: totals.byType,
        },
        rows: rows.map((r) => ({
          chat_id: r.chatId,
          member_count: r.memberCount,
          admin_count: r.adminCount,
          administrators: r.administrators,
          bot_role: r.botRole,
          collected_at: r.collectedAt,
          error: r.error ? errorText(r.error) : null,
        })),
      },
      200,
      { "cache-control": "no-store" },
    );
  })
  .get("/export.csv", async (c) => {
    const { db } = c.var;
    const bot = await requireBot(db, Number(c.req.query("bot_id")));
    const q = pageSearchTerm(c.req.query("q"));
    let afterId = 0;
    const stream = csvStream(
      ["chat_id", "title", "username", "type", "members", "administrators", "bot_role", "last_error", "collected_at"],
      async () => {
        const rows = await chatStatRows(db, bot.id, { q, afterId, limit: 500 });
        afterId = rows.at(-1)?.id ?? afterId;
        return rows;
      },
      (r) => [
        csvCell(r.chatId),
        csvCell(r.title ?? r.firstName),
        csvCell(r.username),
        csvCell(r.type),
        csvCell(r.memberCount),
        csvCell(r.adminCount),
        csvCell(r.botRole),
        csvCell(errorText(r.error)),
        csvCell(r.collectedAt ? new Date(r.collectedAt * 1000).toISOString() : ""),
      ],
    );
    const filename = `telegram-stats-${bot.name.replace(/[^A-Za-z0-9_-]+/g, "_")}-${new Date().toISOString().slice(0, 10)}.csv`;
    return new Response(stream, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  })
  .post("/refresh", async (c) => {
    const bot = await requireBot(c.var.db, Number(c.req.query("bot_id")));
    const back = `${BASE}?bot_id=${bot.id}`;
    try {
      const answer = await getBotChatsStats({ env: c.env, db: c.var.db, log: c.var.log }, bot.id, { refresh: true, limit: 500 });
      const { live, note } = answer.coverage;
      const errors = answer.totals.errors ? ` ${answer.totals.errors} chat(s) could not be read; see the error panel.` : "";
      return redirectWith(c, back, "ok", `${live} chat(s) collected now.${errors} ${note}`.trim());
    } catch (err) {
      return redirectWith(c, back, "error", `Refresh failed: ${toAppError(err).message}`);
    }
  });
