// GET /telegram/channel-stats/: the plain, JavaScript-free statistics table (kept for compatibility).

import { chatStatRows, errorText } from "../../stats/page-queries";
import { BotSelect, Empty, Pager, Table } from "../../views/components";
import { AdminsCell, CollectedCell, CountCell, dayOf } from "../../views/stats-cells";
import { pageRows, pagesApp, paging, render } from "./common";
import { KindsSections, loadKindsData } from "./kinds-sections";
import { botChoice } from "./telegram-stats";

export const channelStatsPages = pagesApp().get("/", async (c) => {
  const { bots, botId } = await botChoice(c);
  const pg = paging(c);
  const found = botId
    ? await chatStatRows(c.var.db, botId, { types: ["channel", "supergroup", "group"], limit: pg.limit, offset: pg.offset })
    : [];
  const { rows, hasNext } = pageRows(found);
  const chatRaw = c.req.query("chat_id") ?? "";
  const chatId = /^-?\d{1,16}$/.test(chatRaw) ? Number(chatRaw) : undefined;
  // Every figure is read under the bot's id, so any chat id shows only this bot's rows.
  const kinds = botId ? await loadKindsData(c.var.db, botId, chatId, rows.find((r) => r.chatId === chatId)?.title) : undefined;
  return render(
    c,
    { title: "Channel statistics", styles: ["/css/settings.css"] },
    <>
      {bots.length === 0 ? (
        <Empty title="No bots yet">
          Register a bot on the <a href="/admin/bots/">bots page</a> first.
        </Empty>
      ) : (
        <form method="get" class="inline">
          <label for="bot_id">Bot</label>
          <BotSelect bots={bots} selected={botId} />
          <button type="submit" class="btn small">
            Show
          </button>
        </form>
      )}
      {bots.length > 0 && rows.length === 0 ? (
        <Empty title="No channels or groups known for this bot">
          They appear once the bot is added to a channel or group and Telegram tells it so.
        </Empty>
      ) : null}
      {rows.length ? (
        <Table
          head={["Chat", "Type", "Members", "Administrators", "Bot role", "First seen", "Collected", "Error"]}
          cellClass={[undefined, undefined, "num", "num", undefined, "nowrap", undefined, "err"]}
          rows={rows.map((r) => [
            <>
              {r.title ?? "(untitled)"} {r.username ? <small>@{r.username}</small> : null}
              <br />
              <small class="muted">{r.chatId}</small>{" "}
              <small>
                <a href={`?bot_id=${botId}&chat_id=${r.chatId}`}>reactions and invites</a>
              </small>
            </>,
            r.type,
            <CountCell r={r} n={r.memberCount} />,
            <AdminsCell r={r} />,
            r.botRole ?? "—",
            dayOf(r.firstSeenAt),
            <CollectedCell r={r} />,
            errorText(r.error),
          ])}
        />
      ) : null}
      <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      {chatId !== undefined ? (
        <p>
          <a href={`?bot_id=${botId}`}>Show reactions and invites for all chats</a>
        </p>
      ) : null}
      {kinds ? <KindsSections data={kinds} /> : null}
      <p>
        <a href={`/studio/social/telegram-stats/?bot_id=${botId ?? ""}`}>Open the full statistics dashboard</a>
      </p>
    </>,
  );
});
