// The channel statistics page's sections for reactions and invite links (server-rendered,
// no script): net reactions per day, top reacted posts, joins by link and top inviters,
// for one bot (or one of its chats) over the last 30 days, each with its empty state.
import type { Db } from "../../env";
import {
  defaultRange,
  type Inviter,
  type JoinsByLink,
  joinsByLink,
  type ReactedPost,
  reactedPosts,
  reactionsPerDay,
  type StatsScope,
  topInviters,
} from "../../stats";
import { clip, Empty, fmtNum, fmtTime, Notice, Table } from "../../views/components";

export interface KindsData {
  scope: StatsScope;
  chatTitle?: string | null;
  days: { day: string; count: number }[];
  top: ReactedPost[];
  links: JoinsByLink;
  inviters: Inviter[];
}

/** Reads the sections' figures; a failure is shown in place of the sections, not as a broken page. */
export async function loadKindsData(
  db: Db,
  botId: number,
  chatId?: number,
  chatTitle?: string | null,
): Promise<KindsData | { error: string }> {
  const scope: StatsScope = { botId, chatId, ...defaultRange(30) };
  try {
    const [days, top, links, inviters] = await Promise.all([
      reactionsPerDay(db, scope),
      reactedPosts(db, scope, { order: "top", limit: 10 }),
      joinsByLink(db, scope, 10),
      topInviters(db, scope, 10),
    ]);
    return { scope, chatTitle, days, top, links, inviters };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const reactionList = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k.startsWith("custom:") ? "custom emoji" : k} ${n}`)
    .join("  ");

const person = (name: string | null, username: string | null, id: number | null) =>
  name || username ? `${name ?? ""}${username ? ` @${username}` : ""}`.trim() : id === null ? "—" : String(id);

export function KindsSections({ data }: { data: KindsData | { error: string } }) {
  if ("error" in data) {
    return (
      <section data-testid="kinds-error">
        <h2>Reactions and invite links</h2>
        <Notice kind="error">These figures could not be read: {data.error}</Notice>
      </section>
    );
  }
  const { scope, chatTitle, days, top, links, inviters } = data;
  const active = days.filter((d) => d.count !== 0).reverse();
  const total = days.reduce((n, d) => n + d.count, 0);
  const range = `${scope.from} to ${scope.to} (UTC)`;
  return (
    <>
      <section data-testid="reactions">
        <h2>Reactions</h2>
        <p class="muted">
          {scope.chatId === undefined ? "All chats of this bot" : `${chatTitle ?? "Chat"} (${scope.chatId})`}, {range}. Net reactions (added
          minus removed): <strong data-testid="reactions-total">{fmtNum(total)}</strong>
        </p>
        <h3>Top reacted posts</h3>
        {top.length === 0 ? (
          <Empty title="No reactions yet">
            Reactions appear once the bot is an administrator and its webhook asks for message_reaction and message_reaction_count (the
            default when the webhook is set here).
          </Empty>
        ) : (
          <Table
            head={["Post", "Chat", "Posted", "Reactions", "By reaction"]}
            cellClass={[undefined, undefined, undefined, "num", undefined]}
            rows={top.map((p) => [
              <>
                {p.text ? clip(p.text, 80) : <span class="muted">(not stored)</span>}
                <br />
                <small class="muted">#{p.message_id}</small>
              </>,
              <>
                {p.chat_title ?? "(untitled)"}
                <br />
                <small class="muted">{p.chat_id}</small>
              </>,
              p.date === null ? "—" : fmtTime(p.date),
              fmtNum(p.total),
              reactionList(p.reactions),
            ])}
          />
        )}
        <h3>Reactions per day</h3>
        {active.length === 0 ? (
          <Empty title="No reaction changes in this range" />
        ) : (
          <Table head={["Day", "Net reactions"]} cellClass={[undefined, "num"]} rows={active.map((d) => [d.day, fmtNum(d.count)])} />
        )}
      </section>
      <section data-testid="invites">
        <h2>Invite links</h2>
        <p class="muted">
          Joins in {range}: <strong data-testid="joins-total">{fmtNum(links.joins_total)}</strong>, of which{" "}
          <span data-testid="joins-without-link">{fmtNum(links.joins_without_link)}</span> came without an invite link or join request
          (public username, added by someone, or not reported by Telegram).
        </p>
        <h3>Joins by link</h3>
        {links.links.length === 0 ? (
          <Empty title="No joins through invite links yet">
            Telegram names the link of a join in chat_member updates, which reach the bot only while it is an administrator.
          </Empty>
        ) : (
          <Table
            head={["Link", "Created by", "Joins", "Via request", "Join requests"]}
            cellClass={[undefined, undefined, "num", "num", "num"]}
            rows={links.links.map((l) => [
              <>
                {l.name ? <strong>{l.name}</strong> : null} {l.invite_link ?? <span class="muted">(request without a link)</span>}
              </>,
              person(l.creator_name, l.creator_username, l.creator_user_id),
              fmtNum(l.joins),
              fmtNum(l.joins_via_request),
              fmtNum(l.requests),
            ])}
          />
        )}
        <h3>Top inviters</h3>
        {inviters.length === 0 ? (
          <Empty title="No inviters yet">An inviter is the creator of the invite link a member joined through.</Empty>
        ) : (
          <Table
            head={["Inviter", "Joins", "Links", "Join requests"]}
            cellClass={[undefined, "num", "num", "num"]}
            rows={inviters.map((i) => [person(i.name, i.username, i.user_id), fmtNum(i.joins), fmtNum(i.links), fmtNum(i.requests)])}
          />
        )}
      </section>
    </>
  );
}
