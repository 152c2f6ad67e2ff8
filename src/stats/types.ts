// The shapes the statistics surface answers with (JSON, snake_case), shared by the
// collector, the endpoints, the cron snapshots and the dashboard.
import type { ChatType } from "../db/schema";

/** creator | administrator | member | restricted | left | kicked (Telegram's ChatMember status). */
export type BotRole = "creator" | "administrator" | "member" | "restricted" | "left" | "kicked";

export interface ChatAdministrator {
  user_id: number;
  /** First and last name joined with a space. */
  name: string;
  username: string | null;
  status: "creator" | "administrator";
  custom_title: string | null;
  is_anonymous: boolean;
}

/**
 * Why a chat could not be read. `kind`:
 * - bot_removed: 403 (the bot was kicked, blocked, or is not a member);
 * - chat_not_found: 400 chat not found;
 * - rate_limited: 429 beyond what the client waits out itself;
 * - telegram_error: any other refusal; network_error: Telegram could not be reached;
 * - budget_exhausted: not collected in this invocation (subrequest budget spent).
 */
export interface ChatStatsError {
  kind: "bot_removed" | "chat_not_found" | "rate_limited" | "telegram_error" | "network_error" | "budget_exhausted";
  error_code: number | null;
  description: string;
  retry_after?: number;
}

/** One chat's statistics, as collected from the Bot API (and stored in chat_stats.result). */
export interface ChatStats {
  chat_id: number;
  title: string | null;
  username: string | null;
  type: ChatType;
  /** When the platform first saw the chat (chats.first_seen_at): our record of its "creation". */
  first_seen: number | null;
  member_count: number | null;
  admin_count: number | null;
  bot_role: BotRole | null;
  administrators: ChatAdministrator[];
  /** null only for a chat listed but never collected yet. */
  collected_at: number | null;
  error: ChatStatsError | null;
  /** Set when the chat was a group upgraded to a supergroup: the id we were asked about. */
  migrated_from_chat_id?: number;
}

/** Where an answer's figures come from: collected now, read from chat_stats, or never collected yet. */
export type StatsSource = "live" | "stored" | "none";

export interface ChatStatsAnswer extends ChatStats {
  bot_id: number;
  source: StatsSource;
  /** True when this answer came from the KV cache (TTL STATS_CACHE_TTL seconds). */
  cached: boolean;
}

export interface TypeTotals {
  chats: number;
  /** Sum of the known member counts (chats never collected count 0 here). */
  members: number;
  /** Chats of this type with a stored collection: 0 means `members` is not a count yet. */
  collected_chats: number;
}

export interface BotChatsStatsAnswer {
  bot_id: number;
  totals: {
    chats: number;
    members: number;
    by_type: Record<ChatType, TypeTotals>;
    /** Chats whose latest collection failed. */
    errors: number;
    /**
     * Groups, supergroups and channels collected at least once: `members` counts only these,
     * so with 0 here `members` is not a member count (the dashboard says "not collected yet").
     */
    collected_chats: number;
    /** The latest collection among them; null when none was ever collected. */
    collected_at: number | null;
  };
  /** How much of this answer was collected now and how much read from stored results. */
  coverage: {
    live: number;
    stored: number;
    never_collected: number;
    calls_made: number;
    call_budget: number;
    /** True when every chat of the page has a result (live or stored). */
    complete: boolean;
    note: string;
  };
  count: number;
  results: (ChatStats & { source: StatsSource })[];
  errors: { chat_id: number; title: string | null; error: ChatStatsError }[];
  next_cursor?: string;
  generated_at: number;
  cached: boolean;
}

/** An inclusive UTC date range, YYYY-MM-DD. */
export interface DateRange {
  from: string;
  to: string;
}

/** Which rows an analytics or history query covers: a bot, or one of its chats. */
export interface StatsScope extends DateRange {
  botId: number;
  chatId?: number;
}
