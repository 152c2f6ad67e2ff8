// CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, UTF-8 with a byte-order mark,
// streamed page by page so a bot with many chats never builds the file in memory.

const NEEDS_QUOTES = /[",\r\n]/;
// A cell starting with one of these is run as a formula by spreadsheet apps (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
// A plain number (a chat id like -1001234567890, a count) is data, not a formula.
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One cell. Every cell that could start a formula is prefixed with "'" (whatever column
 * it is in), except numbers: a negative chat id stays a number.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (FORMULA_START.test(s) && !(typeof value === "number" || NUMBER.test(s))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: string[]): string {
  return `${cells.join(",")}\r\n`;
}

/** A stream of BOM + header + rows, pulling pages from `nextPage` until it answers an empty page. */
export function csvStream<T>(header: string[], nextPage: () => Promise<T[]>, toCells: (row: T) => string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(enc.encode(`\uFEFF${csvLine(header.map((h) => csvCell(h)))}`));
        return;
      }
      const rows = await nextPage();
      if (rows.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(enc.encode(rows.map((r) => csvLine(toCells(r))).join("")));
    },
  });
}
