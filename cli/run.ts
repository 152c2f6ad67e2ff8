// Parses the command line, dispatches to a command, and maps failures to stderr + exit codes.
// Global options (--url, --token, --help) may come before or after the command.
import { parseArgs } from "node:util";
import { Api } from "./api";
import type { Command, OptionSpec, Parsed } from "./command";
import { COMMANDS } from "./commands";
import { DEFAULT_URL, resolveToken } from "./config";
import { ApiError, EXIT, exitCodeFor, FailedError, UsageError } from "./errors";
import type { Io } from "./output";

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", arg: "URL", description: `the platform's base URL (default $TGP_URL or ${DEFAULT_URL})` },
  token: {
    type: "string",
    arg: "TOKEN",
    description: "bearer token (default $ADMIN_API_TOKEN; for a local URL, ADMIN_API_TOKEN from .dev.vars)",
  },
  help: { type: "boolean", short: "h", description: "show help" },
};

function findCommand(argv: string[]): { command?: Command; rest: string[]; unknown?: string } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--url" || a === "--token") {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    const two = `${a} ${argv[i + 1] ?? ""}`;
    const cmd = COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === a);
    const words = cmd?.name.includes(" ") ? 2 : 1;
    const rest = [...argv.slice(0, i), ...argv.slice(i + words)];
    return cmd ? { command: cmd, rest } : { rest, unknown: COMMANDS.some((c) => c.name.startsWith(`${a} `)) ? two.trim() : a };
  }
  return { rest: argv };
}

// parseArgs reads "-100123" (a group's chat id) as short options: mark such positionals and
// glue such option values ("--chat-id -100" → "--chat-id=-100").
const NEG = "\u0000";
function negativeNumbers(args: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!/^-\d+$/.test(a)) {
      out.push(a);
      continue;
    }
    const prev = out.at(-1);
    const name = prev?.startsWith("--") && !prev.includes("=") ? prev.slice(2) : undefined;
    if (name && options[name]?.type === "string") out[out.length - 1] = `${prev}=${a}`;
    else out.push(NEG + a);
  }
  return out;
}

function optionHelp(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.arg ?? "VALUE"}` : ""}`;
    return [flag, o.description] as const;
  });
  const w = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`).join("\n");
}

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "tgp: the operators' CLI for the Telegram platform (talks to its JSON API)",
    "",
    "usage: tgp [--url URL] [--token TOKEN] <command> [options]",
    "       npm run cli -- <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "global options:",
    optionHelp(GLOBAL_OPTIONS),
    "",
    "`tgp <command> --help` shows a command's options.",
    "exit codes: 0 ok, 1 the API refused or a check failed, 2 usage error, 3 platform unreachable.",
  ].join("\n");
}

export function commandHelp(c: Command): string {
  return [
    `usage: tgp ${c.name} ${c.usage}`.trimEnd(),
    "",
    c.summary,
    ...(c.details ? ["", c.details] : []),
    "",
    "options:",
    optionHelp({ ...c.options, ...GLOBAL_OPTIONS }),
  ].join("\n");
}

export async function run(argv: string[], io: Io): Promise<number> {
  const found = findCommand(argv);
  const wantsHelp = found.rest.includes("--help") || found.rest.includes("-h");
  try {
    if (found.unknown) throw new UsageError(`unknown command "${found.unknown}" (see tgp --help)`);
    if (!found.command) {
      if (wantsHelp || argv.length === 0) {
        (argv.length === 0 ? io.stderr : io.stdout).write(`${mainHelp()}\n`);
        return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
      }
      throw new UsageError("no command given (see tgp --help)");
    }
    const command = found.command;
    if (wantsHelp) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.OK;
    }
    let parsed: Parsed;
    try {
      const { values, positionals } = parseArgs({
        args: negativeNumbers(found.rest, { ...GLOBAL_OPTIONS, ...command.options }),
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
      parsed = { values, positionals: positionals.map((p) => p.replace(NEG, "")) };
    } catch (err) {
      throw new UsageError(`${(err as Error).message.split("\n")[0]}\nusage: tgp ${command.name} ${command.usage}`);
    }
    const [min, max] = typeof command.positionals === "number" ? [command.positionals, command.positionals] : command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      const what = parsed.positionals.length < min ? "missing arguments" : `unexpected argument "${parsed.positionals[max]}"`;
      throw new UsageError(`${what}\nusage: tgp ${command.name} ${command.usage}`);
    }
    const url = (parsed.values.url as string | undefined) ?? io.env.TGP_URL ?? DEFAULT_URL;
    let api: Api | undefined;
    const ctx = {
      io,
      url,
      api: () => {
        api ??= new Api(url, resolveToken({ flag: parsed.values.token as string | undefined, env: io.env, url, cwd: io.cwd }));
        return api;
      },
    };
    return (await command.run(ctx, parsed)) ?? EXIT.OK;
  } catch (err) {
    if (err instanceof FailedError) {
      if (err.message) io.stderr.write(`tgp: ${err.message}\n`);
      return EXIT.API;
    }
    if (err instanceof ApiError) {
      io.stderr.write(`tgp: error: ${err.message} (HTTP ${err.status} ${err.code})\n`);
      if (err.details !== undefined) io.stderr.write(`details: ${JSON.stringify(err.details)}\n`);
    } else if (err instanceof Error && ["UsageError", "UnreachableError"].includes(err.name)) {
      io.stderr.write(`tgp: error: ${err.message}\n`);
    } else {
      io.stderr.write(`tgp: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    return exitCodeFor(err);
  }
}
