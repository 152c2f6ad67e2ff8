-- Deleting a bot cascades to its chat rollups (foreign keys), and their delete triggers
-- (0003) would then adjust the bot-wide rollups row by row: work per deleted row, and rows
-- left behind for a bot that no longer exists. While the bot row is gone (it is, during the
-- cascade) they now do nothing; the bot deletion removes the bot-wide rows itself
-- (src/routes/bots-api.ts). Rows of bots deleted before this migration are removed here.
DROP TRIGGER chat_user_daily_bot_ad;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_ad AFTER DELETE ON chat_user_daily WHEN OLD.messages > 0 AND EXISTS (SELECT 1 FROM bots WHERE id = OLD.bot_id) BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages - OLD.messages,
    cum_days = cum_days - coalesce((SELECT messages <= OLD.messages FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day), 0)
  WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day > OLD.day AND OLD.messages > 0;
  UPDATE bot_user_days SET messages = messages - OLD.messages, cum_messages = cum_messages - OLD.messages WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND OLD.messages > 0;
  DELETE FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND messages <= 0;
END;
--> statement-breakpoint
DROP TRIGGER chat_daily_activity_bot_ad;
--> statement-breakpoint
CREATE TRIGGER chat_daily_activity_bot_ad AFTER DELETE ON chat_daily_activity WHEN EXISTS (SELECT 1 FROM bots WHERE id = OLD.bot_id) BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (OLD.bot_id, OLD.day, -OLD.messages, -OLD.joins, -OLD.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
END;
--> statement-breakpoint
DROP TRIGGER chat_hourly_activity_bot_ad;
--> statement-breakpoint
CREATE TRIGGER chat_hourly_activity_bot_ad AFTER DELETE ON chat_hourly_activity WHEN EXISTS (SELECT 1 FROM bots WHERE id = OLD.bot_id) BEGIN
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (OLD.bot_id, OLD.weekday, OLD.hour, -OLD.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
END;
--> statement-breakpoint
DELETE FROM bot_user_days WHERE bot_id NOT IN (SELECT id FROM bots);
--> statement-breakpoint
DELETE FROM bot_user_activity WHERE bot_id NOT IN (SELECT id FROM bots);
--> statement-breakpoint
DELETE FROM bot_daily_activity WHERE bot_id NOT IN (SELECT id FROM bots);
--> statement-breakpoint
DELETE FROM bot_hourly_activity WHERE bot_id NOT IN (SELECT id FROM bots);
