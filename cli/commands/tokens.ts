// tokens create|list|revoke: per-person API tokens, through /api/tokens (admins only).
// A new token is printed once (stdout); the platform keeps only its hash.
import { type Command, FORMAT_OPTION, formatOf, stringOpt } from "../command";
import { UsageError } from "../errors";
import { formatTime, OK, print, printJson, table } from "../output";
import { ROLES } from "./create-staff";

interface ApiToken {
  id: number;
  name: string;
  role: string;
  prefix: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  active: boolean;
}

export const tokensCreate: Command = {
  name: "tokens create",
  usage: "NAME --role viewer|staff|admin [--format table|json]",
  summary: "create a named API token with a role (printed once)",
  details:
    "The token is printed once and cannot be shown again; use it as --token or ADMIN_API_TOKEN, e.g.\n  tgp tokens create 'reports (maria)' --role viewer",
  options: {
    role: { type: "string", arg: "viewer|staff|admin", description: "what the token may do (see README: Access by role)" },
    format: FORMAT_OPTION,
  },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const role = stringOpt(args, "role");
    if (!role || !ROLES.includes(role)) throw new UsageError("--role is required: viewer, staff or admin");
    const t = await ctx.api().post<ApiToken & { token: string }>("/api/tokens", { name: args.positionals[0], role });
    if (format === "json") printJson(ctx.io, t);
    else {
      print(ctx.io, `${OK} token #${t.id} "${t.name}" (${t.role}) created; it is shown only this once:`);
      print(ctx.io, t.token);
    }
    return 0;
  },
};

export const tokensList: Command = {
  name: "tokens list",
  usage: "[--format table|json]",
  summary: "list the API tokens (never the tokens themselves)",
  options: { format: FORMAT_OPTION },
  positionals: 0,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const answer = await ctx.api().get<{ count: number; results: ApiToken[] }>("/api/tokens");
    if (format === "json") {
      printJson(ctx.io, answer);
      return 0;
    }
    if (answer.results.length === 0) {
      print(ctx.io, "no API tokens yet (create one with: tgp tokens create NAME --role viewer)");
      return 0;
    }
    print(
      ctx.io,
      table(
        [
          { header: "ID", right: true },
          { header: "NAME", max: 40 },
          { header: "ROLE" },
          { header: "STARTS" },
          { header: "LAST USED" },
          { header: "STATUS" },
        ],
        answer.results.map((t) => [
          t.id,
          t.name,
          t.role,
          `${t.prefix}…`,
          formatTime(t.last_used_at),
          t.active ? "active" : `revoked ${formatTime(t.revoked_at)}`,
        ]),
      ),
    );
    return 0;
  },
};

export const tokensRevoke: Command = {
  name: "tokens revoke",
  usage: "ID [--format table|json]",
  summary: "revoke an API token (calls with it fail from now on)",
  options: { format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const id = args.positionals[0]!;
    if (!/^\d+$/.test(id)) throw new UsageError("ID must be a token's number (see tgp tokens list)");
    const t = await ctx.api().request<ApiToken>("DELETE", `/api/tokens/${id}`);
    if (format === "json") printJson(ctx.io, t);
    else print(ctx.io, `${OK} token #${t.id} "${t.name}" revoked`);
    return 0;
  },
};
