// What the webhook health console shows and does for one bot: Telegram's own view of the
// webhook (asked live, so its errors are Telegram's words, not ours), the inbox in the
// bot's coordinator, the counters' hourly history, the dead letters, and the actions
// (set with options, rotate the secret, delete, drop pending updates, replay or discard a
// dead letter). Each part is fetched on its own so one failing part does not hide the rest.
import { coordinatorFor } from "../coordinator/stub";
import type { BotRow } from "../db/bots";
import { AppError } from "../lib/errors";
import type { ServiceCtx } from "./context";
import { DEFAULT_ALLOWED_UPDATES, deleteWebhook, setWebhook, webhookInfo } from "./webhooks";

/** Named choices for allowed_updates, so nobody has to remember Telegram's update kinds. */
export const ALLOWED_UPDATE_PRESETS: Record<string, { label: string; kinds: string[] }> = {
  everything: { label: "Everything the platform stores (members included)", kinds: DEFAULT_ALLOWED_UPDATES },
  messages: { label: "Messages and button presses only", kinds: ["message", "edited_message", "callback_query"] },
  channels: { label: "Channel posts and membership", kinds: ["channel_post", "edited_channel_post", "my_chat_member", "chat_member"] },
};

type Part<T> = { ok: true; value: T } | { ok: false; error: string };

async function part<T>(p: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function webhookHealth(ctx: ServiceCtx, bot: BotRow, hours = 48) {
  const stub = coordinatorFor(ctx.env, bot.id);
  const [telegram, inbox, history, deadLetters] = await Promise.all([
    part(webhookInfo(ctx, bot)),
    part(stub.inboxStatus()),
    part(stub.counterHistory(hours)),
    part(stub.deadLetters(100)),
  ]);
  return { telegram, inbox, history, deadLetters };
}
export type WebhookHealth = Awaited<ReturnType<typeof webhookHealth>>;

/** Sets the webhook again with the URL and update kinds it has now: a fresh secret, nothing else changes. */
export async function rotateWebhookSecret(ctx: ServiceCtx, bot: BotRow) {
  if (!bot.webhookUrl) throw new AppError("CONFLICT", "No webhook is set for this bot: set one first");
  return setWebhook(ctx, bot, { url: bot.webhookUrl, allowed_updates: bot.allowedUpdates ?? undefined });
}

/** Drops the updates Telegram is still holding for the bot, keeping the webhook (its secret is renewed too). */
export async function dropPendingUpdates(ctx: ServiceCtx, bot: BotRow) {
  if (!bot.webhookUrl) return deleteWebhook(ctx, bot, { drop_pending_updates: true });
  await setWebhook(ctx, bot, { url: bot.webhookUrl, allowed_updates: bot.allowedUpdates ?? undefined, drop_pending_updates: true });
}

/** Replays (back in line; sends already journaled are not repeated) or discards one dead letter. */
export async function deadLetterAction(ctx: ServiceCtx, bot: BotRow, updateId: number, action: "replay" | "discard"): Promise<void> {
  const stub = coordinatorFor(ctx.env, bot.id);
  const ok = action === "replay" ? await stub.replayDeadLetter(bot.id, updateId) : await stub.discardDeadLetter(updateId);
  if (!ok) throw new AppError("NOT_FOUND", `No dead letter for update ${updateId}`);
  ctx.log.info(`dead letter ${action === "replay" ? "replayed" : "discarded"}`, { bot_id: bot.id, update_id: updateId });
}
