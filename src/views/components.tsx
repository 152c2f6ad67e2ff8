// Small building blocks shared by every page: notices, empty states, pagination, forms.
import type { Child } from "hono/jsx";

export function Csrf({ token }: { token?: string }) {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

export function Notice({ kind = "info", children }: { kind?: "info" | "error" | "ok"; children?: Child }) {
  return (
    <div class={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/**
 * The dashboard's list table: a header row and one row per item. `cellClass` gives a column's
 * cells a class ("num" right-aligns, "actions" holds buttons, "err" an error text).
 */
export function Table(p: { head: string[]; rows: Child[][]; cellClass?: (string | undefined)[] }) {
  return (
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            {p.head.map((h) => (
              <th>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              {r.map((cell, i) => (
                <td class={p.cellClass?.[i]}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Why a list is empty, and what to do about it. */
export function Empty({ title, children }: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <strong>{title}</strong>
      <p>{children}</p>
    </div>
  );
}

/** Previous/next links that keep the other query parameters. */
export function Pager({ url, page, hasNext }: { url: string; page: number; hasNext: boolean }) {
  if (page <= 1 && !hasNext) return null;
  const to = (p: number) => {
    const u = new URL(url);
    u.searchParams.set("page", String(p));
    return u.pathname + u.search;
  };
  return (
    <nav class="pager" aria-label="Pagination">
      {page > 1 ? <a href={to(page - 1)}>← Previous</a> : <span class="muted">← Previous</span>}
      <span>Page {page}</span>
      {hasNext ? <a href={to(page + 1)}>Next →</a> : <span class="muted">Next →</span>}
    </nav>
  );
}

export interface BotOption {
  id: number;
  name: string;
  username: string | null;
}

export function BotSelect({ bots, selected, name = "bot_id", all }: { bots: BotOption[]; selected?: number; name?: string; all?: string }) {
  return (
    <select name={name} id={name}>
      {all ? <option value="">{all}</option> : null}
      {bots.map((b) => (
        <option value={String(b.id)} selected={b.id === selected}>
          {b.name}
          {b.username ? ` (@${b.username})` : ""}
        </option>
      ))}
    </select>
  );
}

/** A one-button form that posts to `action` with the CSRF token. */
export function ActionButton(p: { action: string; csrf?: string; label: string; kind?: string; confirm?: string }) {
  return (
    <form method="post" action={p.action} class="inline" data-confirm={p.confirm}>
      <Csrf token={p.csrf} />
      <button type="submit" class={`btn small ${p.kind ?? ""}`}>
        {p.label}
      </button>
    </form>
  );
}

export function fmtTime(epoch: number | null | undefined): string {
  if (!epoch) return "—";
  return `${new Date(epoch * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function fmtNum(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : n.toLocaleString("en-US");
}

export function clip(s: string | null | undefined, n = 80): string {
  if (!s) return "";
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
