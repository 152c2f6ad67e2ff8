// The one mapping from whatever a request ran into to the platform's closed set of error
// codes. app.ts's onError renders it as JSON and the dashboard's pages as HTML; they differ
// only in the rendering, so the same failure has the same code and status on both.
import { AppError, type ErrorCode } from "../lib/errors";
import { TelegramError, TelegramNetworkError } from "../telegram/errors";

/** Hono's own HTTPException (e.g. a body-limit rejection), told apart without importing Hono. */
function httpStatusOf(err: unknown): number | undefined {
  if (!err || typeof err !== "object" || typeof (err as { getResponse?: unknown }).getResponse !== "function") return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
};

function fromTelegram(err: TelegramError): AppError {
  // Telegram's own rate limit: the caller may try again after retry_after seconds.
  if (err.errorCode === 429) {
    return new AppError("TOO_MANY_REQUESTS", `Telegram rate limit: ${err.description}`, { retry_after: err.retryAfter }, { cause: err });
  }
  // Telegram failing is an outage on our upstream, not something the caller did.
  if (err.errorCode >= 500) return new AppError("UPSTREAM_UNAVAILABLE", `Telegram failed: ${err.description}`, undefined, { cause: err });
  // Any other answer is Telegram saying no to a well-formed request (blocked, kicked, bad token...).
  const parameters = err.parameters && Object.keys(err.parameters).length > 0 ? { parameters: err.parameters } : {};
  return new AppError(
    "TELEGRAM_REFUSED",
    `Telegram refused (${err.errorCode}): ${err.description}`,
    { telegram_error_code: err.errorCode, ...parameters },
    { cause: err },
  );
}

/** The AppError a failure stands for; anything unknown is INTERNAL (the caller logs 5xx). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof TelegramError) return fromTelegram(err);
  if (err instanceof TelegramNetworkError) {
    return new AppError("UPSTREAM_UNAVAILABLE", "Telegram could not be reached; try again in a moment", undefined, { cause: err });
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 400 && status < 500) {
    const message = (err as Error).message || "Request rejected";
    return new AppError(CODE_OF_STATUS[status] ?? "BAD_REQUEST", message, undefined, { cause: err });
  }
  return new AppError("INTERNAL", "Internal error; it has been logged", undefined, { cause: err });
}
