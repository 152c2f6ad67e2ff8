// Read-only admin lists of stored data: chats, users, messages (filter by bot, chat, date and
// text), dialog sessions and the feedback inbox. Every list is paginated and explains emptiness.
import { and, type Column, desc, eq, gte, isNull, lt, sql } from "drizzle-orm";
import { listBots } from "../../db/bots";
import { nowSeconds } from "../../db/client";
import { SEARCH_WINDOW, searchFloor } from "../../db/message-search";
import { bots, chats, feedback, messages, sessions, tgUsers } from "../../db/schema";
import { chatSearch, containsPattern, pageSearchTerm } from "../../stats/page-queries";
import { type BotOption, BotSelect, clip, Empty, fmtTime, Pager, Table } from "../../views/components";
import { type Ctx, pageRows, pagesApp, paging, render } from "./common";

async function filters(c: Ctx) {
  const all = await listBots(c.var.db);
  const bots: BotOption[] = all.map((b) => ({ id: b.id, name: b.name, username: b.username }));
  const wanted = Number(c.req.query("bot_id"));
  const botId = bots.some((b) => b.id === wanted) ? wanted : undefined;
  const q = pageSearchTerm(c.req.query("q"));
  return { bots, botId, q };
}

function FilterBar(p: { bots: BotOption[]; botId?: number; q: string; qLabel: string; children?: unknown }) {
  return (
    <form method="get" class="filters">
      <div>
        <label for="bot_id">Bot</label>
        <BotSelect bots={p.bots} selected={p.botId} all="All bots" />
      </div>
      {p.qLabel ? (
        <div>
          <label for="q">{p.qLabel}</label>
          <input id="q" name="q" type="search" value={p.q} />
        </div>
      ) : null}
      {p.children}
      <button type="submit" class="btn small">
        Filter
      </button>
    </form>
  );
}

const WINDOW_NOTE = `The text filter searches the newest ${SEARCH_WINDOW.toLocaleString("en-US")} messages that match the other filters. To search older ones, narrow by bot, chat or dates.`;

const like = (col: Column, q: string) => sql`${col} LIKE ${containsPattern(q)} ESCAPE '\\'`;

export const adminDataPages = pagesApp()
  .get("/chats", async (c) => {
    const f = await filters(c);
    const pg = paging(c);
    const found = await c.var.db
      .select({ chat: chats, botName: bots.name })
      .from(chats)
      .leftJoin(bots, eq(bots.id, chats.botId))
      // A group's row left behind by its upgrade to a supergroup is a pointer, not a second chat.
      .where(and(f.botId ? eq(chats.botId, f.botId) : undefined, isNull(chats.migratedToChatId), chatSearch(f.q)))
      .orderBy(desc(chats.lastSeenAt))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    return render(
      c,
      { title: "Chats" },
      <>
        <FilterBar {...f} qLabel="Title, @username, id or type" />
        {rows.length === 0 ? (
          <Empty title="No chats">
            Chats are stored when a bot receives an update from them{f.q || f.botId ? " (or none match these filters)" : ""}.
          </Empty>
        ) : (
          <Table
            head={["Chat", "Type", "Bot", "Bot role", "First seen", "Last seen"]}
            rows={rows.map(({ chat, botName }) => [
              <>
                {chat.title ?? chat.firstName ?? "(untitled)"} {chat.username ? <small>@{chat.username}</small> : null}
                <br />
                <small class="muted">{chat.chatId}</small>
              </>,
              chat.type,
              botName ?? "—",
              chat.botRole ?? "—",
              fmtTime(chat.firstSeenAt),
              fmtTime(chat.lastSeenAt),
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .get("/users", async (c) => {
    const f = await filters(c);
    const pg = paging(c);
    const search = f.q
      ? sql`(${like(tgUsers.firstName, f.q)} OR ${like(tgUsers.lastName, f.q)} OR ${like(tgUsers.username, f.q)} OR CAST(${tgUsers.userId} AS TEXT) = ${f.q})`
      : undefined;
    const found = await c.var.db
      .select({ u: tgUsers, botName: bots.name })
      .from(tgUsers)
      .leftJoin(bots, eq(bots.id, tgUsers.botId))
      .where(and(f.botId ? eq(tgUsers.botId, f.botId) : undefined, search))
      .orderBy(desc(tgUsers.lastSeenAt))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    return render(
      c,
      { title: "Users" },
      <>
        <FilterBar {...f} qLabel="Name, @username or user id" />
        {rows.length === 0 ? (
          <Empty title="No users">Users are stored when they write to a bot{f.q || f.botId ? " (or none match these filters)" : ""}.</Empty>
        ) : (
          <Table
            head={["User", "Username", "Language", "Bot", "Blocked the bot", "Last seen"]}
            rows={rows.map(({ u, botName }) => [
              <>
                {[u.firstName, u.lastName].filter(Boolean).join(" ")}
                {u.isBot ? <span class="tag"> bot</span> : null}
                <br />
                <small class="muted">{u.userId}</small>
              </>,
              u.username ? `@${u.username}` : "",
              u.languageCode ?? "",
              botName ?? "—",
              u.blockedBot ? "yes" : "no",
              fmtTime(u.lastSeenAt),
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .get("/messages", async (c) => {
    const f = await filters(c);
    const pg = paging(c);
    const chatRaw = (c.req.query("chat_id") ?? "").trim();
    const chatId = /^-?\d{1,16}$/.test(chatRaw) ? Number(chatRaw) : undefined;
    const day = (k: string) => {
      const v = c.req.query(k) ?? "";
      const t = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) / 1000 : Number.NaN;
      return Number.isFinite(t) ? { v, t } : undefined;
    };
    const from = day("from");
    const to = day("to");
    const cond = and(
      f.botId ? eq(messages.botId, f.botId) : undefined,
      chatId !== undefined ? eq(messages.chatId, chatId) : undefined,
      from ? gte(messages.date, from.t) : undefined,
      to ? lt(messages.date, to.t + 86400) : undefined,
    );
    // The text filter reads at most SEARCH_WINDOW messages (the newest matching the other
    // filters), as /api/messages does, so a word nobody wrote costs the same at any size.
    const floor = f.q ? await searchFloor(c.var.db, cond) : undefined;
    const found = await c.var.db
      .select({ m: messages, botName: bots.name })
      .from(messages)
      .leftJoin(bots, eq(bots.id, messages.botId))
      .where(and(cond, f.q ? like(messages.text, f.q) : undefined, floor !== undefined ? gte(messages.id, floor) : undefined))
      // Newest stored first, as /api/messages: the id order walks an index and stops at the
      // page; ordering by Telegram's date would sort every matching message first.
      .orderBy(desc(messages.id))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    const filtered = Boolean(f.q || f.botId || chatId !== undefined || from || to);
    return render(
      c,
      { title: "Messages" },
      <>
        <FilterBar {...f} qLabel="Text contains">
          <div>
            <label for="chat_id">Chat id</label>
            <input id="chat_id" name="chat_id" value={chatRaw} inputmode="numeric" />
          </div>
          <div>
            <label for="from">From (UTC day)</label>
            <input id="from" name="from" type="date" value={from?.v ?? ""} />
          </div>
          <div>
            <label for="to">To (UTC day)</label>
            <input id="to" name="to" type="date" value={to?.v ?? ""} />
          </div>
        </FilterBar>
        {floor !== undefined && rows.length > 0 ? <p class="muted">{WINDOW_NOTE}</p> : null}
        {rows.length === 0 ? (
          floor !== undefined ? (
            <Empty title={`No match in the newest ${SEARCH_WINDOW.toLocaleString("en-US")} messages`}>{WINDOW_NOTE}</Empty>
          ) : (
            <Empty title={filtered ? "No message matches these filters" : "No messages stored yet"}>
              {filtered
                ? "Widen the dates or clear the text filter."
                : "Messages are stored as the webhook receives them and as the bots send them."}
            </Empty>
          )
        ) : (
          <Table
            head={["Date", "Bot", "Chat", "From", "Kind", "Text"]}
            rows={rows.map(({ m, botName }) => [
              fmtTime(m.date),
              botName ?? "—",
              String(m.chatId),
              m.direction === "out" ? "bot (sent)" : String(m.fromUserId ?? m.senderChatId ?? ""),
              `${m.kind}${m.mediaType ? ` · ${m.mediaType}` : ""}${m.serviceType ? ` · ${m.serviceType}` : ""}`,
              clip(m.text ?? m.callbackData, 200),
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .get("/sessions", async (c) => {
    const f = await filters(c);
    const pg = paging(c);
    const found = await c.var.db
      .select({ s: sessions, botName: bots.name })
      .from(sessions)
      .leftJoin(bots, eq(bots.id, sessions.botId))
      .where(f.botId ? eq(sessions.botId, f.botId) : undefined)
      .orderBy(desc(sessions.updatedAt))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    const now = nowSeconds();
    return render(
      c,
      { title: "Dialog sessions" },
      <>
        <FilterBar {...f} qLabel="" />
        {rows.length === 0 ? (
          <Empty title="No dialog sessions">
            A session is kept while a user is in a multi-step dialog with a bot (for example /feedback).
          </Empty>
        ) : (
          <Table
            head={["Bot", "Chat", "User", "State", "Updated", "Expires"]}
            rows={rows.map(({ s, botName }) => [
              botName ?? "—",
              String(s.chatId),
              String(s.userId),
              <code>{clip(JSON.stringify(s.data), 160)}</code>,
              fmtTime(s.updatedAt),
              s.expiresAt < now ? `expired ${fmtTime(s.expiresAt)}` : fmtTime(s.expiresAt),
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .get("/feedback", async (c) => {
    const f = await filters(c);
    const pg = paging(c);
    const found = await c.var.db
      .select({ fb: feedback, botName: bots.name, first: tgUsers.firstName, username: tgUsers.username })
      .from(feedback)
      .leftJoin(bots, eq(bots.id, feedback.botId))
      .leftJoin(tgUsers, and(eq(tgUsers.botId, feedback.botId), eq(tgUsers.userId, feedback.userId)))
      .where(and(f.botId ? eq(feedback.botId, f.botId) : undefined, f.q ? like(feedback.text, f.q) : undefined))
      .orderBy(desc(feedback.createdAt), desc(feedback.id))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    return render(
      c,
      { title: "Feedback inbox" },
      <>
        <FilterBar {...f} qLabel="Text contains" />
        {rows.length === 0 ? (
          <Empty title="The inbox is empty">Users leave feedback with the bots' /feedback command; it lands here.</Empty>
        ) : (
          <ul class="inbox">
            {rows.map(({ fb, botName, first, username }) => (
              <li class="panel">
                <div class="muted">
                  {fmtTime(fb.createdAt)} · {botName ?? "—"} · {first ?? `user ${fb.userId}`}
                  {username ? ` (@${username})` : ""} · chat {fb.chatId}
                </div>
                <p>{fb.text}</p>
              </li>
            ))}
          </ul>
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  });
