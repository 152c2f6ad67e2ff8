// The collector for one chat, with the fewest Bot API calls:
//   getChat, then getChatMemberCount and getChatAdministrators at once (3 calls, 2 round trips),
//   and getChatMember for the bot only when it is not among the administrators and its role is
//   not already known (4 calls). The role is known from chats.bot_role: Telegram sends
//   my_chat_member on every change of the bot's status (ingest records it) and each collection
//   records what it found, so a stored member/restricted role is current. An administrator
//   found in the list always wins over the stored role; a stored administrator/creator role
//   the list contradicts is stale, so getChatMember settles it.
// Private chats cost 1 call (getChat): Telegram refuses getChatAdministrators there and the
// members are always the user and the bot, so member_count is 2 and there are no administrators.
// A group upgraded to a supergroup answers 400 with migrate_to_chat_id: that id is followed once.
import type { ChatFullInfo, ChatMember } from "@grammyjs/types";
import type { ChatType } from "../db/schema";
import type { TelegramClient } from "../telegram/client";
import { TelegramError, TelegramNetworkError } from "../telegram/errors";
import type { BotRole, ChatAdministrator, ChatStats, ChatStatsError } from "./types";

/** What we already know of the chat (from the chats table). */
export interface ChatTarget {
  chatId: number;
  type: ChatType;
  title: string | null;
  username: string | null;
  firstName?: string | null;
  lastName?: string | null;
  firstSeenAt: number | null;
  /** The bot's role as last recorded (chats.bot_role: my_chat_member or the last collection); null: unknown. */
  botRole?: BotRole | null;
}

/** Roles that a bot missing from the administrators list can still have while it can read the chat. */
const NON_ADMIN_ROLES: ReadonlySet<BotRole> = new Set(["member", "restricted"]);

/** The most calls one chat can cost (a migration doubles it; the budget keeps a margin for that). */
export const callsFor = (type: ChatType): number => (type === "private" ? 1 : 4);

/** A chat's result before anything was read: what we know of it, nothing collected. */
export function blankStats(target: ChatTarget, collectedAt: number): ChatStats {
  return {
    chat_id: target.chatId,
    title: target.type === "private" ? personName(target.firstName, target.lastName) || target.title : target.title,
    username: target.username,
    type: target.type,
    first_seen: target.firstSeenAt,
    member_count: null,
    admin_count: null,
    bot_role: null,
    administrators: [],
    collected_at: collectedAt,
    error: null,
  };
}

export async function collectChat(
  client: TelegramClient,
  target: ChatTarget,
  botTgId: number,
  now: () => number = () => Math.floor(Date.now() / 1000),
): Promise<ChatStats> {
  const stats = blankStats(target, now());
  try {
    await readInto(client, stats, target.chatId, botTgId, target.botRole ?? null);
  } catch (err) {
    const to = err instanceof TelegramError ? err.migrateToChatId : undefined;
    if (to === undefined || to === target.chatId) return withError(stats, err);
    // Followed once: the old group lives on as this supergroup.
    stats.migrated_from_chat_id = target.chatId;
    stats.chat_id = to;
    stats.type = "supergroup";
    try {
      // The new supergroup's role is not the one recorded for the old group's id: read it.
      await readInto(client, stats, to, botTgId, null);
    } catch (again) {
      return withError(stats, again);
    }
  }
  stats.collected_at = now();
  return stats;
}

async function readInto(
  client: TelegramClient,
  stats: ChatStats,
  chatId: number,
  botTgId: number,
  knownRole: BotRole | null,
): Promise<void> {
  // getChat alone first: a chat that is gone, forbidden or migrated costs 1 call, not 3.
  const chat: ChatFullInfo = await client.call("getChat", { chat_id: chatId });
  stats.type = chat.type;
  stats.title = chat.type === "private" ? personName(chat.first_name, chat.last_name) : (chat.title ?? null);
  stats.username = chat.username ?? null;
  if (chat.type === "private") {
    stats.member_count = 2;
    stats.admin_count = 0;
    stats.administrators = [];
    stats.bot_role = "member";
    return;
  }
  // Independent reads, sent together (one round trip). Both settle before we go on, so no call
  // is left running once this chat is done (the pool's budget accounting relies on that).
  const [count, list] = await Promise.allSettled([
    client.call("getChatMemberCount", { chat_id: chatId }),
    client.call("getChatAdministrators", { chat_id: chatId }),
  ]);
  if (count.status === "rejected") throw count.reason;
  if (list.status === "rejected") throw list.reason;
  stats.member_count = count.value;
  const admins = list.value;
  stats.administrators = admins.filter(isAdmin).map(toAdministrator);
  stats.admin_count = stats.administrators.length;
  const self = admins.find((m) => m.user.id === botTgId);
  if (self) {
    stats.bot_role = self.status as BotRole;
    return;
  }
  if (knownRole && NON_ADMIN_ROLES.has(knownRole)) {
    stats.bot_role = knownRole;
    return;
  }
  const member = await client.call("getChatMember", { chat_id: chatId, user_id: botTgId });
  stats.bot_role = member.status as BotRole;
}

function isAdmin(m: ChatMember): m is Extract<ChatMember, { status: "creator" | "administrator" }> {
  return m.status === "creator" || m.status === "administrator";
}

function toAdministrator(m: Extract<ChatMember, { status: "creator" | "administrator" }>): ChatAdministrator {
  return {
    user_id: m.user.id,
    name: personName(m.user.first_name, m.user.last_name) ?? "",
    username: m.user.username ?? null,
    status: m.status,
    custom_title: m.custom_title ?? null,
    is_anonymous: m.is_anonymous,
  };
}

function personName(first?: string | null, last?: string | null): string | null {
  const name = [first, last].filter(Boolean).join(" ");
  return name || null;
}

function withError(stats: ChatStats, err: unknown): ChatStats {
  stats.error = classifyError(err);
  if (stats.error.kind === "bot_removed") stats.bot_role = /kicked|banned|blocked/i.test(stats.error.description) ? "kicked" : "left";
  return stats;
}

/** Maps a failure to the error recorded for the chat. Not a Telegram failure: a bug of ours, rethrown. */
export function classifyError(err: unknown): ChatStatsError {
  if (err instanceof TelegramError) {
    const base = { error_code: err.errorCode, description: err.description };
    if (err.errorCode === 403) return { kind: "bot_removed", ...base };
    if (err.errorCode === 429) return { kind: "rate_limited", ...base, retry_after: err.retryAfter };
    if (err.errorCode === 400 && /chat not found/i.test(err.description)) return { kind: "chat_not_found", ...base };
    return { kind: "telegram_error", ...base };
  }
  if (err instanceof TelegramNetworkError) return { kind: "network_error", error_code: null, description: err.message };
  throw err;
}

/** The text kept in chat_stats.error / chat_snapshots.error. */
export function errorText(e: ChatStatsError | null): string | null {
  return e ? `${e.kind}: ${e.error_code ?? ""} ${e.description}`.replace(/\s+/g, " ").trim() : null;
}
