// A Bot API call made for an operator: Telegram's refusal is a 4xx with its description, an outage a 502.
import { AppError } from "../lib/errors";
import { TelegramError } from "../telegram/errors";

export async function forOperator<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TelegramError) {
      if (err.errorCode === 429) {
        throw new AppError("TOO_MANY_REQUESTS", `Telegram rate limit: ${err.description}`, { retry_after: err.retryAfter });
      }
      if (err.errorCode === 401 || err.errorCode === 404) {
        throw new AppError("TELEGRAM_REFUSED", `Telegram refused ${what}: ${err.description}`, { telegram_error_code: err.errorCode });
      }
      if (err.errorCode >= 500) throw new AppError("UPSTREAM_UNAVAILABLE", `Telegram failed ${what}: ${err.description}`);
      throw new AppError("TELEGRAM_REFUSED", `Telegram refused ${what}: ${err.description}`, {
        telegram_error_code: err.errorCode,
        ...(err.parameters && Object.keys(err.parameters).length > 0 && { parameters: err.parameters }),
      });
    }
    if (err instanceof AppError) throw err;
    throw new AppError("UPSTREAM_UNAVAILABLE", `Could not reach the Telegram Bot API for ${what}; try again`, undefined, { cause: err });
  }
}
