// Staff sends (POST /telegram/bot/{id}/send/ and /telegram/send-message/) through the bot's
// send governor, so they share the buckets of its replies, AI answers and broadcasts. Each
// message (each piece of a long text) first gets a slot from the bot's coordinator; when the
// wait would be longer than STAFF_WAIT_BOUND_MS the send is refused with 429, a reason and
// retry_after, and nothing is sent. A 429 from Telegram pauses the right bucket and the send
// is tried again once its pause fits in the bound (a 429 delivered nothing).
import type { Message } from "@grammyjs/types";
import { STAFF_WAIT_BOUND_MS } from "../coordinator/governor";
import { coordinatorFor } from "../coordinator/stub";
import { AppError } from "../lib/errors";
import { splitText } from "../lib/split-text";
import { telegramFor } from "../telegram/bot-client";
import type { TelegramClient } from "../telegram/client";
import { TelegramError } from "../telegram/errors";
import { type OutgoingDeps, type OutgoingMessage, sendOnly, storeOutgoing } from "../telegram/outgoing";

const NO_BOUND = Number.MAX_SAFE_INTEGER;

function refused(reason: string, retryAfter: number): AppError {
  return new AppError("TOO_MANY_REQUESTS", reason, { retry_after: retryAfter });
}

/** Sends as staff within the bot's flood limits, stores what was sent as outgoing, answers it. */
export async function governedStaffSend(deps: OutgoingDeps, msg: OutgoingMessage, boundMs = STAFF_WAIT_BOUND_MS): Promise<Message[]> {
  const { env, bot } = deps;
  const stub = coordinatorFor(env, bot.id);
  const pieces: OutgoingMessage[] = msg.type === "text" ? splitText(msg.text).map((text) => ({ ...msg, text })) : [msg];
  // No 429 retries inside the client: the governor pauses the bucket and decides.
  const client: TelegramClient = await telegramFor(env, bot, { log: deps.log, maxRetryAfter: 0 });
  const sent: Message[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as OutgoingMessage;
    const first = i === 0;
    for (let attempt = 0; ; attempt++) {
      const permit = await stub.staffSendPermit(
        bot.id,
        piece.chat_id,
        first ? pieces.length : 1,
        first ? boundMs : NO_BOUND,
        bot.allowPaidBroadcast,
      );
      if (!permit.ok) throw refused(permit.reason, permit.retry_after);
      try {
        sent.push(...(await sendOnly(deps, piece, client)));
        break;
      } catch (err) {
        if (!(err instanceof TelegramError && err.errorCode === 429)) {
          if (sent.length > 0) await storeOutgoing(deps.db, bot.id, sent).catch(() => undefined);
          throw err;
        }
        const after = err.retryAfter ?? 5;
        await stub.reportFlood(piece.chat_id, after);
        if (attempt >= 1 || after * 1000 > boundMs) {
          if (sent.length > 0) await storeOutgoing(deps.db, bot.id, sent).catch(() => undefined);
          throw refused(
            `Telegram asked this bot to wait ${after} s (flood limit), longer than the ${Math.round(boundMs / 1000)} s a staff send waits; ${sent.length > 0 ? `${sent.length} of ${pieces.length} pieces were sent` : "nothing was sent"}`,
            after,
          );
        }
      }
    }
  }
  await storeOutgoing(deps.db, bot.id, sent);
  return sent;
}
