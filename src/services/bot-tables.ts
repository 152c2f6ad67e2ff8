// Tables keyed by bot_id without a foreign key to bots: a bot's deletion clears them itself.
import {
  aiUsage,
  botDailyActivity,
  botHourlyActivity,
  botUserActivity,
  botUserDays,
  chatDailyActivity,
  chatHourlyActivity,
  chatReactionDaily,
  chatUserDaily,
  inviteJoins,
  memberEvents,
  messageReactionCounts,
  messageReactions,
} from "../db/schema";

export const ANALYTICS_TABLES = [
  chatUserDaily,
  chatDailyActivity,
  chatHourlyActivity,
  memberEvents,
  aiUsage,
  botUserDays,
  botUserActivity,
  botDailyActivity,
  botHourlyActivity,
  messageReactions,
  messageReactionCounts,
  chatReactionDaily,
  inviteJoins,
] as const;
