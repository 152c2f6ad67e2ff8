// D1 reports a broken UNIQUE index only in the error text (drizzle wraps it as the cause).
export function isUniqueViolation(e: unknown): boolean {
  return /UNIQUE constraint failed/i.test(String((e as { cause?: unknown })?.cause ?? e));
}
