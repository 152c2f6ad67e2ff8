// The message row stored for a Telegram Message: text or caption, entities, the media
// kind with its file id (the largest photo size), service-message type, thread, replies.
import type { Message } from "@grammyjs/types";
import type { MessageKind } from "../../db/schema";

export interface MessageRow {
  chatId: number;
  messageId: number | null;
  fromUserId: number | null;
  senderChatId: number | null;
  threadId: number | null;
  date: number;
  editDate: number | null;
  kind: MessageKind;
  serviceType: string | null;
  text: string | null;
  entities: unknown[] | null;
  mediaType: string | null;
  fileId: string | null;
  callbackQueryId: string | null;
  callbackData: string | null;
  replyToMessageId: number | null;
  raw: unknown;
}

const MEDIA_KEYS = [
  "animation",
  "audio",
  "document",
  "sticker",
  "video",
  "video_note",
  "voice",
  "contact",
  "location",
  "venue",
  "poll",
  "dice",
  "game",
  "story",
  "giveaway",
  "giveaway_winners",
  "invoice",
  "paid_media",
] as const;

// Service message fields: their presence makes the message a "service" row.
const SERVICE_KEYS = [
  "new_chat_members",
  "left_chat_member",
  "new_chat_title",
  "new_chat_photo",
  "delete_chat_photo",
  "group_chat_created",
  "supergroup_chat_created",
  "channel_chat_created",
  "migrate_to_chat_id",
  "migrate_from_chat_id",
  "pinned_message",
  "message_auto_delete_timer_changed",
  "forum_topic_created",
  "forum_topic_edited",
  "forum_topic_closed",
  "forum_topic_reopened",
  "general_forum_topic_hidden",
  "general_forum_topic_unhidden",
  "video_chat_started",
  "video_chat_ended",
  "video_chat_scheduled",
  "video_chat_participants_invited",
  "users_shared",
  "chat_shared",
  "write_access_allowed",
  "boost_added",
  "chat_background_set",
  "successful_payment",
  "refunded_payment",
  "proximity_alert_triggered",
] as const;

function media(m: Message): { mediaType: string | null; fileId: string | null } {
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    // Sizes come smallest first; keep the largest.
    const largest = m.photo.reduce((a, b) => ((b.width ?? 0) * (b.height ?? 0) >= (a.width ?? 0) * (a.height ?? 0) ? b : a));
    return { mediaType: "photo", fileId: largest.file_id };
  }
  const rec = m as unknown as Record<string, unknown>;
  for (const key of MEDIA_KEYS) {
    const v = rec[key];
    if (v && typeof v === "object") {
      const fileId = (v as { file_id?: unknown }).file_id;
      return { mediaType: key, fileId: typeof fileId === "string" ? fileId : null };
    }
  }
  return { mediaType: null, fileId: null };
}

function serviceTypeOf(m: Message): string | null {
  const rec = m as unknown as Record<string, unknown>;
  return SERVICE_KEYS.find((k) => rec[k] !== undefined) ?? null;
}

/** A row that is not a Telegram Message (a callback, a membership change, an unknown kind): everything else empty. */
export function otherRow(fields: Pick<MessageRow, "chatId" | "date" | "kind" | "raw"> & Partial<MessageRow>): MessageRow {
  return {
    messageId: null,
    fromUserId: null,
    senderChatId: null,
    threadId: null,
    editDate: null,
    serviceType: null,
    text: null,
    entities: null,
    mediaType: null,
    fileId: null,
    callbackQueryId: null,
    callbackData: null,
    replyToMessageId: null,
    ...fields,
  };
}

export function messageRow(m: Message, kind: MessageKind): MessageRow {
  const service = serviceTypeOf(m);
  const { mediaType, fileId } = media(m);
  return {
    chatId: m.chat.id,
    messageId: m.message_id,
    fromUserId: m.from?.id ?? null,
    senderChatId: m.sender_chat?.id ?? null,
    threadId: m.message_thread_id ?? null,
    date: m.date,
    editDate: m.edit_date ?? null,
    kind: service ? "service" : kind,
    serviceType: service,
    text: m.text ?? m.caption ?? null,
    entities: (m.entities ?? m.caption_entities ?? null) as unknown[] | null,
    mediaType,
    fileId,
    callbackQueryId: null,
    callbackData: null,
    replyToMessageId: m.reply_to_message?.message_id ?? null,
    raw: m,
  };
}
