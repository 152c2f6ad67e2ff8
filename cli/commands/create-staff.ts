// create-staff USERNAME: a dashboard login (POST /api/staff). The password comes from
// --password, a hidden prompt on a terminal, or the first line of stdin (for scripts).
import { createInterface } from "node:readline";
import { type Command, FORMAT_OPTION, formatOf, stringOpt } from "../command";
import { UsageError } from "../errors";
import { type Io, OK, print, printJson } from "../output";

export const ROLES = ["viewer", "staff", "admin"];

async function readLine(io: Io, prompt: string, hidden: boolean): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: hidden });
  if (hidden) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(prompt)) io.stderr.write(prompt);
    };
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question(prompt, resolve);
      rl.once("close", () => reject(new UsageError("no password given")));
    });
  } finally {
    if (hidden) io.stderr.write("\n");
    rl.close();
  }
}

export async function passwordFrom(io: Io, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  if (io.stdin.isTTY) {
    const first = await readLine(io, "password: ", true);
    const again = await readLine(io, "password (again): ", true);
    if (first !== again) throw new UsageError("the passwords differ");
    return first;
  }
  let data = "";
  for await (const chunk of io.stdin) data += chunk;
  const line = data.split(/\r?\n/)[0] ?? "";
  if (!line) throw new UsageError("no password: give --password, type it at the prompt, or pipe it on stdin");
  return line;
}

export const createStaff: Command = {
  name: "create-staff",
  usage: "USERNAME [--password P] [--role viewer|staff|admin]",
  summary: "create a dashboard login (the same as staff create)",
  details:
    "Without --password: a hidden prompt on a terminal, otherwise the first line of stdin, e.g.\n  echo 'long-password' | tgp create-staff alice --role admin",
  options: {
    password: { type: "string", arg: "P", description: "the password (at least 8 characters); visible in shell history" },
    role: { type: "string", arg: "viewer|staff|admin", description: "the account's role (default staff; see README: Access by role)" },
    format: FORMAT_OPTION,
  },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const role = stringOpt(args, "role") ?? "staff";
    if (!ROLES.includes(role)) throw new UsageError("--role must be viewer, staff or admin");
    const username = args.positionals[0]!;
    const password = await passwordFrom(ctx.io, stringOpt(args, "password"));
    const staff = await ctx.api().post<{ id: number; username: string; role: string }>("/api/staff", { username, password, role });
    if (format === "json") printJson(ctx.io, staff);
    else print(ctx.io, `${OK} staff account created: ${staff.username} (#${staff.id}, ${staff.role})`);
    return 0;
  },
};
