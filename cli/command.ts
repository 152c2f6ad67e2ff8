// What a command is: its options (node:util parseArgs), its help, and what it runs.
import type { Api } from "./api";
import { UsageError } from "./errors";
import type { Io } from "./output";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. URL. */
  arg?: string;
  description: string;
}

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Ctx {
  io: Io;
  /** The API client (built lazily so --help never needs a token). */
  api(): Api;
  url: string;
}

export interface Command {
  name: string;
  /** e.g. "NAME TOKEN USERNAME [--webhook-url URL]" */
  usage: string;
  summary: string;
  /** Extra lines for --help (examples, what is printed). */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Exact count or [min, max] of positionals. */
  positionals: number | [number, number];
  run(ctx: Ctx, args: Parsed): Promise<number | undefined>;
}

export const FORMAT_OPTION: OptionSpec = { type: "string", arg: "table|json", description: "output format (default table)" };

export function stringOpt(args: Parsed, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

export function formatOf(args: Parsed, allowed: string[], fallback: string): string {
  const f = stringOpt(args, "format") ?? fallback;
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(", ")}`);
  return f;
}
