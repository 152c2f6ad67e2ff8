// Printing: aligned tables, JSON-only output for --format json, progress only on a terminal.
import type { Writable } from "node:stream";

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type Cell = string | number | boolean | null | undefined;

export interface Column {
  header: string;
  /** Right-align (numbers). */
  right?: boolean;
  /** Longer values are cut with an ellipsis. */
  max?: number;
}

export function cellText(v: Cell): string {
  if (v === null || v === undefined || v === "") return "-";
  return String(v).replace(/\s+/g, " ");
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(columns: Column[], rows: Cell[][]): string {
  const texts = rows.map((r) =>
    columns.map((c, i) => {
      const t = cellText(r[i]);
      return c.max && t.length > c.max ? `${t.slice(0, c.max - 1)}…` : t;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...texts.map((t) => t[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((t, i) => (columns[i]!.right ? t.padStart(widths[i]!) : i === cells.length - 1 ? t : t.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...texts.map(line)].join("\n");
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(io: Io, text = ""): void {
  io.stdout.write(`${text}\n`);
}

/** A one-line progress note on stderr, only when stdout is a terminal (never in pipes or JSON output). */
export function progress(io: Io, text: string | null): void {
  if (!io.stdout.isTTY) return;
  io.stderr.write(text === null ? "\r\x1b[2K" : `\r\x1b[2K${text}`);
}

export function formatTime(epochSeconds: number | null | undefined): string {
  if (!epochSeconds) return "-";
  return new Date(epochSeconds * 1000).toISOString().replace("T", " ").slice(0, 16);
}

export const OK = "✓";
export const FAIL = "✗";
