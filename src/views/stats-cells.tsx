// What the statistics tables show per chat, shared by the dashboard and the plain page:
// a chat never collected says so ("not collected yet") instead of a 0 that reads like a
// real count, and the administrators come from the latest collection.
import type { ChatStatRow } from "../stats/page-queries";
import { fmtNum, fmtTime } from "./components";

export const NOT_COLLECTED = "not collected yet";

/** Private chats have no member statistics; other chats are collected (or waiting to be). */
export const collectable = (r: Pick<ChatStatRow, "type">) => r.type !== "private";
export const pending = (r: Pick<ChatStatRow, "type" | "collectedAt">) => collectable(r) && r.collectedAt === null;

/** A member or administrator count, or why there is none. */
export function CountCell({ r, n }: { r: ChatStatRow; n: number | null }) {
  if (!collectable(r)) return <span class="muted">—</span>;
  if (r.collectedAt === null) return <span class="not-collected">{NOT_COLLECTED}</span>;
  return <>{fmtNum(n)}</>;
}

/** The administrators' names (titles and anonymity shown), folded under their count. */
export function AdminsCell({ r }: { r: ChatStatRow }) {
  if (!collectable(r) || r.collectedAt === null) return <CountCell r={r} n={r.adminCount} />;
  if (r.administrators.length === 0) return <>{fmtNum(r.adminCount)}</>;
  return (
    <details>
      <summary>{fmtNum(r.adminCount ?? r.administrators.length)}</summary>
      <ul class="admins">
        {r.administrators.map((a) => (
          <li>
            {a.name || `user ${a.user_id}`}
            {a.username ? <small class="muted"> @{a.username}</small> : null}
            {a.status === "creator" ? <small class="muted"> (owner)</small> : null}
            {a.custom_title ? <small class="muted"> “{a.custom_title}”</small> : null}
            {a.is_anonymous ? <small class="muted"> anonymous</small> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

export const dayOf = (epoch: number | null | undefined) => (epoch ? new Date(epoch * 1000).toISOString().slice(0, 10) : "—");

export function CollectedCell({ r }: { r: ChatStatRow }) {
  if (!collectable(r)) return <span class="muted">not collected (private)</span>;
  if (r.collectedAt === null) return <span class="not-collected">{NOT_COLLECTED}</span>;
  return <>{fmtTime(r.collectedAt)}</>;
}
