DROP INDEX `messages_bot_date_idx`;--> statement-breakpoint
DROP INDEX `messages_bot_kind_date_idx`;--> statement-breakpoint
CREATE INDEX `messages_bot_id_idx` ON `messages` (`bot_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_bot_chat_id_idx` ON `messages` (`bot_id`,`chat_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_bot_kind_id_idx` ON `messages` (`bot_id`,`kind`,`id`);--> statement-breakpoint
CREATE INDEX `chat_user_daily_bot_day_idx` ON `chat_user_daily` (`bot_id`,`day`,`user_id`,`messages`);--> statement-breakpoint
CREATE INDEX `chats_bot_id_idx` ON `chats` (`bot_id`,`id`);--> statement-breakpoint
CREATE INDEX `processed_updates_prune_idx` ON `processed_updates` (`received_at`);