// staff list|create|deactivate|activate|delete|password: dashboard accounts, through
// /api/staff (admins only). A change ends that person's sessions; the platform refuses
// to deactivate, demote or delete the last active admin (exit code 1).
import { type Command, type Ctx, FORMAT_OPTION, formatOf, type Parsed, stringOpt } from "../command";
import { UsageError } from "../errors";
import { formatTime, OK, print, printJson, table } from "../output";
import { createStaff, passwordFrom } from "./create-staff";

interface StaffAccount {
  id: number;
  username: string;
  role: string;
  is_active: boolean;
  last_login_at: number | null;
  created_at: number;
}

const USER_USAGE = "USER (an account's id or username)";

async function resolveStaff(ctx: Ctx, ref: string): Promise<StaffAccount> {
  const { results } = await ctx.api().get<{ results: StaffAccount[] }>("/api/staff");
  const found = /^\d+$/.test(ref) ? results.find((s) => s.id === Number(ref)) : results.find((s) => s.username === ref);
  if (!found) throw new UsageError(`no staff account "${ref}" (see tgp staff list)`);
  return found;
}

function done(ctx: Ctx, args: Parsed, answer: unknown, line: string): number {
  if (formatOf(args, ["table", "json"], "table") === "json") printJson(ctx.io, answer);
  else print(ctx.io, `${OK} ${line}`);
  return 0;
}

export const staffList: Command = {
  name: "staff list",
  usage: "[--format table|json]",
  summary: "list the dashboard accounts",
  options: { format: FORMAT_OPTION },
  positionals: 0,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const answer = await ctx.api().get<{ count: number; results: StaffAccount[] }>("/api/staff");
    if (format === "json") {
      printJson(ctx.io, answer);
      return 0;
    }
    print(
      ctx.io,
      table(
        [{ header: "ID", right: true }, { header: "USERNAME" }, { header: "ROLE" }, { header: "ACTIVE" }, { header: "LAST LOGIN" }],
        answer.results.map((s) => [s.id, s.username, s.role, s.is_active ? "yes" : "no", formatTime(s.last_login_at)]),
      ),
    );
    return 0;
  },
};

export const staffCreate: Command = { ...createStaff, name: "staff create", summary: "create a dashboard login" };

function activeCommand(active: boolean): Command {
  return {
    name: active ? "staff activate" : "staff deactivate",
    usage: `${USER_USAGE} [--format table|json]`,
    summary: active ? "let a deactivated account log in again" : "stop an account logging in and end its sessions",
    options: { format: FORMAT_OPTION },
    positionals: 1,
    async run(ctx, args) {
      formatOf(args, ["table", "json"], "table");
      const s = await resolveStaff(ctx, args.positionals[0]!);
      const answer = await ctx.api().request<StaffAccount>("PATCH", `/api/staff/${s.id}`, { is_active: active });
      return done(ctx, args, answer, `${answer.username} (#${answer.id}) ${active ? "activated" : "deactivated; its sessions have ended"}`);
    },
  };
}

export const staffActivate = activeCommand(true);
export const staffDeactivate = activeCommand(false);

export const staffDelete: Command = {
  name: "staff delete",
  usage: `${USER_USAGE} [--format table|json]`,
  summary: "delete an account (its sessions end)",
  options: { format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    formatOf(args, ["table", "json"], "table");
    const s = await resolveStaff(ctx, args.positionals[0]!);
    const answer = await ctx.api().request<{ id: number; username: string }>("DELETE", `/api/staff/${s.id}`);
    return done(ctx, args, answer, `${answer.username} (#${answer.id}) deleted`);
  },
};

export const staffPassword: Command = {
  name: "staff password",
  usage: `${USER_USAGE} [--password P]`,
  summary: "set an account's password (its sessions end)",
  details: "Without --password: a hidden prompt on a terminal, otherwise the first line of stdin.",
  options: {
    password: { type: "string", arg: "P", description: "the new password (at least 8 characters); visible in shell history" },
    format: FORMAT_OPTION,
  },
  positionals: 1,
  async run(ctx, args) {
    formatOf(args, ["table", "json"], "table");
    const s = await resolveStaff(ctx, args.positionals[0]!);
    const password = await passwordFrom(ctx.io, stringOpt(args, "password"));
    const answer = await ctx.api().request<StaffAccount>("PATCH", `/api/staff/${s.id}`, { password });
    return done(ctx, args, answer, `password of ${answer.username} (#${answer.id}) changed; its sessions have ended`);
  },
};
