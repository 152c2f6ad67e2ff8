// The CLI's failures and their exit codes: scripts can tell a typo from a refusal from an outage.
export const EXIT = {
  OK: 0,
  /** The API refused (4xx/5xx) or a check failed. */
  API: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** The platform could not be reached at all. */
  UNREACHABLE: 3,
} as const;

export class UsageError extends Error {
  override name = "UsageError";
}

/** The server answered with an error ({ error: { code, message, details } }). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** A failed check or step (test-bot) whose lines were already printed. */
export class FailedError extends Error {
  override name = "FailedError";
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof UnreachableError) return EXIT.UNREACHABLE;
  return EXIT.API;
}
