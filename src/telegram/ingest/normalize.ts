// Turns any Update into the few facts storage needs: which chat and user it concerns,
// the message row to write (if any), and the joins/leaves it carries. Pure, so it is
// easy to reason about what a given payload stores.
import type { Chat, ChatMember, Message, User } from "@grammyjs/types";
import type { MessageKind } from "../../db/schema";
import { type MessageRow, messageRow, otherRow } from "./message-row";

export type { MessageRow } from "./message-row";
export { messageRow } from "./message-row";

export type RawUpdate = { update_id: number } & Record<string, unknown>;

/** The update kinds we store as messages or act on; anything else is kept raw. */
export const KNOWN_KINDS = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "callback_query",
  "my_chat_member",
  "chat_member",
  "message_reaction",
  "message_reaction_count",
  "chat_join_request",
] as const;
export type KnownKind = (typeof KNOWN_KINDS)[number];

/**
 * What a bot asks Telegram for by default (webhook and polling): every kind ingest stores
 * or acts on, plus the boosts, stored raw under their chat. chat_member, the reactions
 * and the boosts come only when asked for. The other kinds (README, "Update kinds") are
 * stored raw too when a bot's allowed_updates names them.
 */
export const DEFAULT_ALLOWED_UPDATES: readonly string[] = [...KNOWN_KINDS, "chat_boost", "removed_chat_boost"];

export interface MemberEvent {
  chatId: number;
  userId: number;
  event: "join" | "leave";
  date: number;
}

export interface Normalized {
  /** The key of the update's payload (message, callback_query, new_update_kind, ...). */
  type: string;
  known: boolean;
  chat?: Chat;
  /** Users to upsert (the sender first). */
  users: User[];
  row?: MessageRow;
  /** edited_message / edited_channel_post: update the stored row rather than count a new one. */
  isEdit: boolean;
  /** A real message (not service, not edit, not callback): counted in the rollups. */
  countsAsMessage: boolean;
  memberEvents: MemberEvent[];
  /** The bot's own membership change (my_chat_member). */
  botRole?: { chatId: number; status: ChatMember["status"]; privateUserId?: number };
  message?: Message;
  /** message_reaction: an actor's reactions on a message, before and after. */
  reaction?: ReactionChange;
  /** message_reaction_count: a message's anonymous totals now. */
  reactionCount?: ReactionTotals;
  /** A join through an invite link or join request, or a join request (invite_joins). */
  invite?: InviteJoin;
}

export interface ReactionChange {
  chatId: number;
  messageId: number;
  actorId: number;
  actorIsChat: boolean;
  date: number;
  old: string[];
  now: string[];
}

export interface ReactionTotals {
  chatId: number;
  messageId: number;
  date: number;
  counts: { reaction: string; count: number }[];
}

export interface InviteJoin {
  chatId: number;
  userId: number;
  kind: "join" | "request";
  link: string | null;
  name: string | null;
  creatorId: number | null;
  viaRequest: boolean;
  date: number;
}

/** One key per reaction: the emoji, "custom:<id>" or "paid" (what message_reactions stores). */
export function reactionKey(r: unknown): string {
  const v = (r ?? {}) as { type?: string; emoji?: string; custom_emoji_id?: string };
  if (v.type === "emoji" && v.emoji) return v.emoji;
  if (v.type === "custom_emoji" && v.custom_emoji_id) return `custom:${v.custom_emoji_id}`;
  return v.type ?? "unknown";
}

interface InviteLinkLike {
  invite_link?: string;
  name?: string;
  creator?: User;
}

/** The chat an unknown kind names (payload.chat.id), so its raw row is tied to it. */
function namedChatId(payload: unknown): number | null {
  const chat = (payload as { chat?: { id?: unknown } } | undefined)?.chat;
  return chat && typeof chat.id === "number" && Number.isSafeInteger(chat.id) ? chat.id : null;
}

const IS_MEMBER = new Set(["creator", "administrator", "member"]);

function isMember(m: ChatMember | undefined): boolean {
  if (!m) return false;
  if (m.status === "restricted") return Boolean((m as { is_member?: boolean }).is_member);
  return IS_MEMBER.has(m.status);
}

function fromMessage(type: string, m: Message, kind: MessageKind, isEdit: boolean): Normalized {
  const row = messageRow(m, kind);
  const users: User[] = m.from ? [m.from] : [];
  const memberEvents: MemberEvent[] = [];
  for (const u of m.new_chat_members ?? []) {
    memberEvents.push({ chatId: m.chat.id, userId: u.id, event: "join", date: m.date });
    if (u.id !== m.from?.id) users.push(u);
  }
  if (m.left_chat_member) {
    memberEvents.push({ chatId: m.chat.id, userId: m.left_chat_member.id, event: "leave", date: m.date });
    if (m.left_chat_member.id !== m.from?.id) users.push(m.left_chat_member);
  }
  return {
    type,
    known: true,
    chat: m.chat,
    users,
    row,
    isEdit,
    countsAsMessage: !isEdit && row.kind !== "service",
    memberEvents: isEdit ? [] : memberEvents,
    message: m,
  };
}

/** Reads an update; never throws on an unexpected shape (unknown kinds are kept raw). */
export function normalize(update: RawUpdate): Normalized {
  const type = Object.keys(update).find((k) => k !== "update_id") ?? "empty";
  const payload = update[type] as Record<string, unknown> | undefined;
  const looksLikeMessage = (p: unknown): p is Message =>
    Boolean(p && typeof p === "object" && typeof (p as Message).message_id === "number" && (p as Message).chat);

  if ((type === "message" || type === "channel_post") && looksLikeMessage(payload)) {
    return fromMessage(type, payload, type === "message" ? "message" : "channel_post", false);
  }
  if ((type === "edited_message" || type === "edited_channel_post") && looksLikeMessage(payload)) {
    return fromMessage(type, payload, "edited", true);
  }
  if (type === "callback_query" && payload && typeof payload === "object") {
    const q = payload as unknown as {
      id: string;
      from: User;
      data?: string;
      message?: { message_id: number; chat: Chat; date: number };
    };
    const chat = q.message?.chat;
    return {
      type,
      known: true,
      chat,
      users: q.from ? [q.from] : [],
      row: otherRow({
        chatId: chat?.id ?? q.from?.id ?? 0,
        fromUserId: q.from?.id ?? null,
        date: Math.floor(Date.now() / 1000),
        kind: "callback_query",
        callbackQueryId: String(q.id),
        callbackData: q.data ?? null,
        replyToMessageId: q.message?.message_id ?? null,
        raw: q,
      }),
      isEdit: false,
      countsAsMessage: false,
      memberEvents: [],
    };
  }
  if ((type === "my_chat_member" || type === "chat_member") && payload && typeof payload === "object") {
    const u = payload as unknown as { chat: Chat; from: User; date: number; old_chat_member: ChatMember; new_chat_member: ChatMember };
    const subject = u.new_chat_member?.user;
    const users = [u.from, ...(type === "chat_member" && subject && subject.id !== u.from?.id ? [subject] : [])].filter(Boolean);
    const events: MemberEvent[] = [];
    if (type === "chat_member" && subject) {
      const was = isMember(u.old_chat_member);
      const now = isMember(u.new_chat_member);
      if (!was && now) events.push({ chatId: u.chat.id, userId: subject.id, event: "join", date: u.date });
      if (was && !now) events.push({ chatId: u.chat.id, userId: subject.id, event: "leave", date: u.date });
    }
    const via = payload as { invite_link?: InviteLinkLike; via_join_request?: boolean };
    const joined = events.some((e) => e.event === "join");
    const invite: InviteJoin | undefined =
      joined && subject && (via.invite_link || via.via_join_request)
        ? {
            chatId: u.chat.id,
            userId: subject.id,
            kind: "join",
            link: via.invite_link?.invite_link ?? null,
            name: via.invite_link?.name ?? null,
            creatorId: via.invite_link?.creator?.id ?? null,
            viaRequest: via.via_join_request === true,
            date: u.date,
          }
        : undefined;
    const creator = invite ? via.invite_link?.creator : undefined;
    if (creator && !users.some((x) => x.id === creator.id)) users.push(creator);
    return {
      type,
      known: true,
      chat: u.chat,
      users,
      row: otherRow({
        chatId: u.chat.id,
        fromUserId: u.from?.id ?? null,
        date: u.date,
        kind: "service",
        serviceType: type,
        text: `${u.old_chat_member?.status ?? "?"} -> ${u.new_chat_member?.status ?? "?"}`,
        raw: payload,
      }),
      isEdit: false,
      countsAsMessage: false,
      memberEvents: events,
      invite,
      botRole:
        type === "my_chat_member" && u.new_chat_member
          ? { chatId: u.chat.id, status: u.new_chat_member.status, privateUserId: u.chat.type === "private" ? u.chat.id : undefined }
          : undefined,
    };
  }
  if (type === "message_reaction" && payload && typeof payload === "object") {
    const r = payload as unknown as {
      chat: Chat;
      message_id: number;
      user?: User;
      actor_chat?: Chat;
      date: number;
      old_reaction: unknown[];
      new_reaction: unknown[];
    };
    const actor = r.user?.id ?? r.actor_chat?.id;
    return {
      type,
      known: true,
      chat: r.chat,
      users: r.user ? [r.user] : [],
      isEdit: false,
      countsAsMessage: false,
      memberEvents: [],
      reaction:
        actor === undefined
          ? undefined
          : {
              chatId: r.chat.id,
              messageId: r.message_id,
              actorId: actor,
              actorIsChat: !r.user,
              date: r.date,
              old: [...new Set(r.old_reaction.map(reactionKey))],
              now: [...new Set(r.new_reaction.map(reactionKey))],
            },
    };
  }
  if (type === "message_reaction_count" && payload && typeof payload === "object") {
    const r = payload as unknown as { chat: Chat; message_id: number; date: number; reactions: { type: unknown; total_count: number }[] };
    const counts = new Map<string, number>();
    for (const x of r.reactions) counts.set(reactionKey(x.type), (counts.get(reactionKey(x.type)) ?? 0) + x.total_count);
    return {
      type,
      known: true,
      chat: r.chat,
      users: [],
      isEdit: false,
      countsAsMessage: false,
      memberEvents: [],
      reactionCount: {
        chatId: r.chat.id,
        messageId: r.message_id,
        date: r.date,
        counts: [...counts].map(([reaction, count]) => ({ reaction, count })),
      },
    };
  }
  if (type === "chat_join_request" && payload && typeof payload === "object") {
    const r = payload as unknown as { chat: Chat; from: User; date: number; invite_link?: InviteLinkLike };
    const creator = r.invite_link?.creator;
    return {
      type,
      known: true,
      chat: r.chat,
      users: [r.from, ...(creator && creator.id !== r.from.id ? [creator] : [])],
      row: otherRow({
        chatId: r.chat.id,
        fromUserId: r.from.id,
        date: r.date,
        kind: "service",
        serviceType: type,
        text: r.invite_link?.name ?? r.invite_link?.invite_link ?? null,
        raw: payload,
      }),
      isEdit: false,
      countsAsMessage: false,
      memberEvents: [],
      invite: {
        chatId: r.chat.id,
        userId: r.from.id,
        kind: "request",
        link: r.invite_link?.invite_link ?? null,
        name: r.invite_link?.name ?? null,
        creatorId: creator?.id ?? null,
        viaRequest: true,
        date: r.date,
      },
    };
  }
  // Unknown (or malformed known) kind: kept raw as a service row so staff can see it, under
  // the chat it names (chat_boost, removed_chat_boost, ...) or chat 0.
  return {
    type,
    known: false,
    users: [],
    row: otherRow({
      chatId: namedChatId(payload) ?? 0,
      date: Math.floor(Date.now() / 1000),
      kind: "service",
      serviceType: `unknown:${type}`,
      raw: update,
    }),
    isEdit: false,
    countsAsMessage: false,
    memberEvents: [],
  };
}

/** UTC day 'YYYY-MM-DD', weekday (0 = Sunday) and hour of a unix time. */
export function utcParts(date: number): { day: string; weekday: number; hour: number } {
  const d = new Date(date * 1000);
  return { day: d.toISOString().slice(0, 10), weekday: d.getUTCDay(), hour: d.getUTCHours() };
}
