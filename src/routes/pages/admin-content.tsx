// /admin/content/: news and games the bots list (/news, /games): list, add, delete. Saving
// an item can notify the users who opted in (the same service as POST /api/content/{id}/notify).
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { listBots, requireBot } from "../../db/bots";
import { bots, contentItems } from "../../db/schema";
import { parseWith, safeHref, zHttpUrlOrEmpty } from "../../lib/validate";
import { notifyContent } from "../../services/content-notify";
import { ActionButton, BotSelect, Csrf, clip, Empty, fmtTime, Pager, Table } from "../../views/components";
import { svc } from "../service-ctx";
import { formFields, may, outcomeOf, pageRows, pagesApp, paging, redirectWith, render } from "./common";

const BASE = "/admin/content/";

const itemSchema = z.object({
  bot_id: z.string().optional(),
  kind: z.enum(["news", "game"]),
  title: z.string().trim().min(1, "a title is required").max(200),
  url: zHttpUrlOrEmpty.optional(),
  summary: z.string().max(2000).optional(),
  notify: z.literal("1").optional(),
});

export const adminContentPages = pagesApp()
  .get("/", async (c) => {
    const pg = paging(c);
    const found = await c.var.db
      .select({ item: contentItems, botName: bots.name })
      .from(contentItems)
      .leftJoin(bots, eq(bots.id, contentItems.botId))
      .orderBy(desc(contentItems.publishedAt), desc(contentItems.id))
      .limit(pg.limit)
      .offset(pg.offset)
      .all();
    const { rows, hasNext } = pageRows(found);
    const all = (await listBots(c.var.db)).map((b) => ({ id: b.id, name: b.name, username: b.username }));
    const csrf = c.get("csrfToken");
    const canEdit = may(c, "content");
    return render(
      c,
      { title: "Content items" },
      <>
        {canEdit ? (
          <details class="panel" open={c.req.query("new") !== undefined}>
            <summary>Add an item</summary>
            <form method="post" action={`${BASE}new`} class="stack">
              <Csrf token={csrf} />
              <label for="kind">Kind</label>
              <select id="kind" name="kind">
                <option value="news">News</option>
                <option value="game">Game</option>
              </select>
              <label for="bot_id">Bot</label>
              <BotSelect bots={all} all="Every bot" />
              <label for="title">Title</label>
              <input id="title" name="title" required maxlength={200} />
              <label for="url">Link</label>
              <input id="url" name="url" type="url" placeholder="https://…" />
              <label for="summary">Summary</label>
              <textarea id="summary" name="summary" rows={3} maxlength={2000} />
              {may(c, "broadcast") ? (
                <label>
                  <input type="checkbox" name="notify" value="1" /> Notify subscribers now (users who turned notifications on in /settings)
                </label>
              ) : null}
              <button type="submit" class="btn primary">
                Add
              </button>
            </form>
          </details>
        ) : null}
        {rows.length === 0 ? (
          <Empty title="No content yet">The bots' /news and /games commands list these items; add the first one above.</Empty>
        ) : (
          <Table
            head={["Title", "Kind", "Bot", "Published", ...(canEdit ? ["Actions"] : [])]}
            rows={rows.map(({ item, botName }) => [
              <>
                {safeHref(item.url) ? (
                  <a href={safeHref(item.url)} rel="noopener noreferrer">
                    {item.title}
                  </a>
                ) : (
                  <>
                    {item.title} {item.url ? <small class="muted">({item.url})</small> : null}
                  </>
                )}
                <br />
                <small class="muted">{clip(item.summary, 120)}</small>
              </>,
              item.kind,
              botName ?? "every bot",
              fmtTime(item.publishedAt),
              ...(canEdit
                ? [
                    <ActionButton
                      action={`${BASE}${item.id}/delete`}
                      csrf={csrf}
                      label="Delete"
                      kind="danger"
                      confirm="Delete this item?"
                    />,
                  ]
                : []),
            ])}
          />
        )}
        <Pager url={c.req.url} page={pg.page} hasNext={hasNext} />
      </>,
    );
  })
  .post("/new", async (c) => {
    const v = parseWith(itemSchema, await formFields(c), "content item");
    if (v.notify && !may(c, "broadcast"))
      return redirectWith(c, `${BASE}?new`, "error", "Notifying subscribers needs the broadcast permission");
    const botId = v.bot_id ? (await requireBot(c.var.db, Number(v.bot_id))).id : null;
    const item = await c.var.db
      .insert(contentItems)
      .values({ botId, kind: v.kind, title: v.title, url: v.url || null, summary: v.summary || null })
      .returning()
      .get();
    if (!v.notify) return redirectWith(c, BASE, "ok", `"${v.title}" added.`);
    const res = await outcomeOf(c, () => notifyContent(svc(c), item.id, {}));
    if (!res.ok) return redirectWith(c, BASE, "error", `"${v.title}" added, but notifying failed: ${res.message}`);
    const sent = res.value.broadcasts.reduce((n, b) => n + b.total, 0);
    const skipped = res.value.skipped.map((s) => s.reason).join("; ");
    return redirectWith(
      c,
      BASE,
      "ok",
      res.value.count
        ? `"${v.title}" added; notifying ${sent} subscriber(s) (broadcast ${res.value.broadcasts.map((b) => `#${b.id}`).join(", ")}).`
        : `"${v.title}" added; nobody notified: ${skipped || "no bots"}.`,
    );
  })
  .post("/:id{[0-9]+}/delete", async (c) => {
    await c.var.db.delete(contentItems).where(eq(contentItems.id, Number(c.req.param("id"))));
    return redirectWith(c, BASE, "ok", "Item deleted.");
  });
