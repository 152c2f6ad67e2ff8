// A chart of no point or one point tells nothing and stretches its axis (one snapshot drew
// an x axis from 2026 to 2029): such a series gets a sentence saying what there is instead.
import type { Analytics } from "../../stats/page-queries";
import { fmtNum } from "../components";

/** null: draw the chart; otherwise the sentence shown in its place. */
export interface ChartNotes {
  members: string | null;
  daily: string | null;
  joins: string | null;
}

const plural = (n: number, one: string, many: string) => `${fmtNum(n)} ${n === 1 ? one : many}`;
const dateOf = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 10);

export function chartNotes(a: Analytics): ChartNotes {
  const snaps = a.firstSnapshots;
  const members = a.memberHistory.filter((p) => p.members !== null);
  const days = a.daily.filter((d) => d.messages > 0);
  const moves = a.daily.filter((d) => d.joins > 0 || d.leaves > 0);
  const only = snaps[0];
  const last = members.at(-1);
  const day = days[0];
  const move = moves[0];
  return {
    members:
      snaps.length === 0 || !only
        ? "No snapshots yet: the cron takes one every hour (15-minute runs), and a stats task takes one too."
        : snaps.length === 1
          ? `Only one snapshot so far: ${plural(only.members, "member", "members")} on ${dateOf(only.t)}.`
          : members.length < 2 && last
            ? `Snapshots from one day only so far: ${plural(last.members ?? 0, "member", "members")} on ${dateOf(last.t)}.`
            : null,
    daily:
      days.length === 0
        ? "No messages in the last 30 days."
        : days.length === 1 && day
          ? `Only one day with messages so far: ${plural(day.messages, "message", "messages")} on ${day.day}.`
          : null,
    joins:
      moves.length === 0
        ? "No joins or leaves in the last 30 days."
        : moves.length === 1 && move
          ? `Only one day with joins or leaves so far: ${fmtNum(move.joins)} joined and ${fmtNum(move.leaves)} left on ${move.day}.`
          : null,
  };
}

/** The chart's box (stats.js draws into it), or the note in its place. */
export function ChartNote({ id, note }: { id: string; note: string | null }) {
  return note === null ? (
    <div class="chart" id={id} />
  ) : (
    <p class="chart-note" id={`${id}-note`} data-testid={`${id}-note`}>
      {note}
    </p>
  );
}
