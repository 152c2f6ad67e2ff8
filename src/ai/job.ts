// One incoming message the AI should answer, as queued on the bot's coordinator.
import type { Message } from "@grammyjs/types";

export interface AiJob {
  botId: number;
  updateId: number;
  chatId: number;
  chatType: "private" | "group" | "supergroup" | "channel";
  threadId?: number;
  messageId: number;
  userId: number;
  userName: string;
  text: string;
}

/** The most text (UTF-16 units) one queued message keeps: Telegram's text limit. */
export const MAX_JOB_TEXT = 4096;

/** Decides whether the bot's AI answers this message, and what it is asked. */
export function aiJobFor(
  bot: { id: number; tgId: number | null; username: string | null; aiEnabled: boolean; aiGroupAllowlist?: number[] | null },
  message: Message,
  updateId: number,
): AiJob | null {
  if (!bot.aiEnabled || !message.from || message.from.is_bot) return null;
  const raw = message.text ?? message.caption;
  if (!raw?.trim()) return null;
  const entities = message.entities ?? message.caption_entities ?? [];
  // Commands belong to the command registry, even unknown ones.
  if (entities.some((e) => e.type === "bot_command" && e.offset === 0)) return null;
  const chatType = message.chat.type;
  if (chatType === "channel") return null;
  // With an allowlist, the AI answers only in the groups it names (private chats always).
  if (chatType !== "private" && bot.aiGroupAllowlist && !bot.aiGroupAllowlist.includes(message.chat.id)) return null;

  let text = raw;
  if (chatType !== "private") {
    const handle = bot.username ? `@${bot.username.toLowerCase()}` : null;
    const mention = entities.find(
      (e) =>
        (e.type === "mention" && handle !== null && raw.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
        (e.type === "text_mention" && bot.tgId !== null && e.user.id === bot.tgId),
    );
    const reply = message.reply_to_message?.from;
    const repliedToBot =
      reply !== undefined &&
      ((bot.tgId !== null && reply.id === bot.tgId) || (handle !== null && `@${reply.username ?? ""}`.toLowerCase() === handle));
    if (!mention && !repliedToBot) return null;
    if (mention?.type === "mention") text = (raw.slice(0, mention.offset) + raw.slice(mention.offset + mention.length)).trim();
    if (!text) return null;
  }

  const from = message.from;
  return {
    botId: bot.id,
    updateId,
    chatId: message.chat.id,
    chatType,
    ...(message.message_thread_id !== undefined && message.is_topic_message ? { threadId: message.message_thread_id } : {}),
    messageId: message.message_id,
    userId: from.id,
    userName: ([from.first_name, from.last_name].filter(Boolean).join(" ") || from.username || String(from.id)).slice(0, 128),
    // Telegram's own limit; a queued job never holds more (the queue's storage stays bounded).
    text: text.slice(0, MAX_JOB_TEXT),
  };
}
