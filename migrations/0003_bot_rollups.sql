-- Bot-wide rollups (tables in 0002): backfilled from the chat rollups, then kept in step with
-- them by triggers, so every writer of a chat rollup (ingest's store batch, a supergroup
-- migration moving a chat's rows, a seed) updates them in the same statement, exactly once.
-- Triggers are created after the backfill so it is not counted twice.
--> statement-breakpoint
INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages)
SELECT bot_id, weekday, hour, sum(messages) FROM chat_hourly_activity GROUP BY bot_id, weekday, hour;
--> statement-breakpoint
INSERT INTO bot_user_days (bot_id, user_id, day, messages, cum_messages, cum_days)
SELECT bot_id, user_id, day, m, sum(m) OVER w, row_number() OVER w
FROM (SELECT bot_id, user_id, day, sum(messages) AS m FROM chat_user_daily GROUP BY bot_id, user_id, day HAVING sum(messages) > 0)
WINDOW w AS (PARTITION BY bot_id, user_id ORDER BY day);
--> statement-breakpoint
INSERT INTO bot_user_activity (bot_id, user_id, last_day) SELECT bot_id, user_id, max(day) FROM bot_user_days GROUP BY bot_id, user_id;
--> statement-breakpoint
INSERT INTO bot_daily_activity (bot_id, day, messages, active_users, joins, leaves)
SELECT bot_id, day, sum(messages), 0, sum(joins), sum(leaves) FROM chat_daily_activity GROUP BY bot_id, day;
--> statement-breakpoint
INSERT INTO bot_daily_activity (bot_id, day, active_users)
SELECT bot_id, day, count(*) FROM bot_user_days WHERE true GROUP BY bot_id, day
ON CONFLICT (bot_id, day) DO UPDATE SET active_users = excluded.active_users;
--> statement-breakpoint
CREATE TRIGGER bot_user_days_ai AFTER INSERT ON bot_user_days BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, active_users) VALUES (NEW.bot_id, NEW.day, 1)
  ON CONFLICT (bot_id, day) DO UPDATE SET active_users = bot_daily_activity.active_users + 1;
  INSERT INTO bot_user_activity (bot_id, user_id, last_day) VALUES (NEW.bot_id, NEW.user_id, NEW.day)
  ON CONFLICT (bot_id, user_id) DO UPDATE SET last_day = excluded.last_day WHERE excluded.last_day > bot_user_activity.last_day;
END;
--> statement-breakpoint
CREATE TRIGGER bot_user_days_ad AFTER DELETE ON bot_user_days BEGIN
  UPDATE bot_daily_activity SET active_users = active_users - 1 WHERE bot_id = OLD.bot_id AND day = OLD.day;
END;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_ai AFTER INSERT ON chat_user_daily WHEN NEW.messages > 0 BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages + NEW.messages,
    cum_days = cum_days + NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day)
  WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day > NEW.day AND NEW.messages > 0;
  UPDATE bot_user_days SET messages = messages + NEW.messages, cum_messages = cum_messages + NEW.messages WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day AND NEW.messages > 0;
  INSERT INTO bot_user_days (bot_id, user_id, day, messages, cum_messages, cum_days)
  SELECT NEW.bot_id, NEW.user_id, NEW.day, NEW.messages,
    coalesce((SELECT cum_messages FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + NEW.messages,
    coalesce((SELECT cum_days FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + 1
  WHERE NEW.messages > 0 AND NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day);
END;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_au_more AFTER UPDATE ON chat_user_daily WHEN NEW.bot_id = OLD.bot_id AND NEW.user_id = OLD.user_id AND NEW.day = OLD.day AND NEW.messages > OLD.messages BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages + (NEW.messages - OLD.messages),
    cum_days = cum_days + NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day)
  WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day > NEW.day AND (NEW.messages - OLD.messages) > 0;
  UPDATE bot_user_days SET messages = messages + (NEW.messages - OLD.messages), cum_messages = cum_messages + (NEW.messages - OLD.messages) WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day AND (NEW.messages - OLD.messages) > 0;
  INSERT INTO bot_user_days (bot_id, user_id, day, messages, cum_messages, cum_days)
  SELECT NEW.bot_id, NEW.user_id, NEW.day, (NEW.messages - OLD.messages),
    coalesce((SELECT cum_messages FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + (NEW.messages - OLD.messages),
    coalesce((SELECT cum_days FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + 1
  WHERE (NEW.messages - OLD.messages) > 0 AND NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day);
END;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_au_less AFTER UPDATE ON chat_user_daily WHEN NEW.bot_id = OLD.bot_id AND NEW.user_id = OLD.user_id AND NEW.day = OLD.day AND NEW.messages < OLD.messages BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages - (OLD.messages - NEW.messages),
    cum_days = cum_days - coalesce((SELECT messages <= (OLD.messages - NEW.messages) FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day), 0)
  WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day > OLD.day AND (OLD.messages - NEW.messages) > 0;
  UPDATE bot_user_days SET messages = messages - (OLD.messages - NEW.messages), cum_messages = cum_messages - (OLD.messages - NEW.messages) WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND (OLD.messages - NEW.messages) > 0;
  DELETE FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND messages <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_au_moved AFTER UPDATE ON chat_user_daily WHEN NOT (NEW.bot_id = OLD.bot_id AND NEW.user_id = OLD.user_id AND NEW.day = OLD.day) BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages - OLD.messages,
    cum_days = cum_days - coalesce((SELECT messages <= OLD.messages FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day), 0)
  WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day > OLD.day AND OLD.messages > 0;
  UPDATE bot_user_days SET messages = messages - OLD.messages, cum_messages = cum_messages - OLD.messages WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND OLD.messages > 0;
  DELETE FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND messages <= 0;
  UPDATE bot_user_days SET cum_messages = cum_messages + NEW.messages,
    cum_days = cum_days + NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day)
  WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day > NEW.day AND NEW.messages > 0;
  UPDATE bot_user_days SET messages = messages + NEW.messages, cum_messages = cum_messages + NEW.messages WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day AND NEW.messages > 0;
  INSERT INTO bot_user_days (bot_id, user_id, day, messages, cum_messages, cum_days)
  SELECT NEW.bot_id, NEW.user_id, NEW.day, NEW.messages,
    coalesce((SELECT cum_messages FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + NEW.messages,
    coalesce((SELECT cum_days FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1), 0) + 1
  WHERE NEW.messages > 0 AND NOT EXISTS (SELECT 1 FROM bot_user_days WHERE bot_id = NEW.bot_id AND user_id = NEW.user_id AND day = NEW.day);
END;
--> statement-breakpoint
CREATE TRIGGER chat_user_daily_bot_ad AFTER DELETE ON chat_user_daily WHEN OLD.messages > 0 BEGIN
  UPDATE bot_user_days SET cum_messages = cum_messages - OLD.messages,
    cum_days = cum_days - coalesce((SELECT messages <= OLD.messages FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day), 0)
  WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day > OLD.day AND OLD.messages > 0;
  UPDATE bot_user_days SET messages = messages - OLD.messages, cum_messages = cum_messages - OLD.messages WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND OLD.messages > 0;
  DELETE FROM bot_user_days WHERE bot_id = OLD.bot_id AND user_id = OLD.user_id AND day = OLD.day AND messages <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER chat_daily_activity_bot_ai AFTER INSERT ON chat_daily_activity BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (NEW.bot_id, NEW.day, NEW.messages, NEW.joins, NEW.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
END;
--> statement-breakpoint
CREATE TRIGGER chat_daily_activity_bot_au AFTER UPDATE ON chat_daily_activity WHEN NEW.bot_id = OLD.bot_id AND NEW.day = OLD.day AND (NEW.messages != OLD.messages OR NEW.joins != OLD.joins OR NEW.leaves != OLD.leaves) BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (NEW.bot_id, NEW.day, NEW.messages - OLD.messages, NEW.joins - OLD.joins, NEW.leaves - OLD.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
END;
--> statement-breakpoint
CREATE TRIGGER chat_daily_activity_bot_au_moved AFTER UPDATE ON chat_daily_activity WHEN NOT (NEW.bot_id = OLD.bot_id AND NEW.day = OLD.day) BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (OLD.bot_id, OLD.day, -OLD.messages, -OLD.joins, -OLD.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (NEW.bot_id, NEW.day, NEW.messages, NEW.joins, NEW.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
END;
--> statement-breakpoint
CREATE TRIGGER chat_daily_activity_bot_ad AFTER DELETE ON chat_daily_activity BEGIN
  INSERT INTO bot_daily_activity (bot_id, day, messages, joins, leaves) VALUES (OLD.bot_id, OLD.day, -OLD.messages, -OLD.joins, -OLD.leaves)
  ON CONFLICT (bot_id, day) DO UPDATE SET messages = bot_daily_activity.messages + excluded.messages,
    joins = bot_daily_activity.joins + excluded.joins, leaves = bot_daily_activity.leaves + excluded.leaves;
END;
--> statement-breakpoint
CREATE TRIGGER chat_hourly_activity_bot_ai AFTER INSERT ON chat_hourly_activity BEGIN
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (NEW.bot_id, NEW.weekday, NEW.hour, NEW.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
END;
--> statement-breakpoint
CREATE TRIGGER chat_hourly_activity_bot_au AFTER UPDATE ON chat_hourly_activity WHEN NEW.bot_id = OLD.bot_id AND NEW.weekday = OLD.weekday AND NEW.hour = OLD.hour AND NEW.messages != OLD.messages BEGIN
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (NEW.bot_id, NEW.weekday, NEW.hour, NEW.messages - OLD.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
END;
--> statement-breakpoint
CREATE TRIGGER chat_hourly_activity_bot_au_moved AFTER UPDATE ON chat_hourly_activity WHEN NOT (NEW.bot_id = OLD.bot_id AND NEW.weekday = OLD.weekday AND NEW.hour = OLD.hour) BEGIN
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (OLD.bot_id, OLD.weekday, OLD.hour, -OLD.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (NEW.bot_id, NEW.weekday, NEW.hour, NEW.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
END;
--> statement-breakpoint
CREATE TRIGGER chat_hourly_activity_bot_ad AFTER DELETE ON chat_hourly_activity BEGIN
  INSERT INTO bot_hourly_activity (bot_id, weekday, hour, messages) VALUES (OLD.bot_id, OLD.weekday, OLD.hour, -OLD.messages)
  ON CONFLICT (bot_id, weekday, hour) DO UPDATE SET messages = bot_hourly_activity.messages + excluded.messages;
END;
