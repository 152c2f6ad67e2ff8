CREATE TABLE `ai_usage` (
	`bot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`day` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `user_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `background_tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`status` text DEFAULT 'stopped' NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`progress` text,
	`last_run_at` integer,
	`last_error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`stopped_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `background_tasks_bot_idx` ON `background_tasks` (`bot_id`,`kind`);--> statement-breakpoint
CREATE TABLE `bot_commands` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`command` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`reply_text` text,
	`handler_name` text,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bot_commands_bot_command_uq` ON `bot_commands` (`bot_id`,`command`);--> statement-breakpoint
CREATE TABLE `bot_counters` (
	`bot_id` integer NOT NULL,
	`name` text NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`bot_id`, `name`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `bots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`tg_id` integer,
	`username` text,
	`token_ciphertext` text NOT NULL,
	`token_fingerprint` text NOT NULL,
	`webhook_url` text,
	`webhook_secret_hash` text,
	`allowed_updates` text,
	`is_active` integer DEFAULT true NOT NULL,
	`welcome_text` text,
	`info_text` text,
	`contact_text` text,
	`ai_enabled` integer DEFAULT false NOT NULL,
	`ai_providers` text DEFAULT '["openai","gemini"]' NOT NULL,
	`openai_model` text DEFAULT 'gpt-4o-mini' NOT NULL,
	`gemini_model` text DEFAULT 'gemini-2.5-flash' NOT NULL,
	`ai_system_prompt` text,
	`ai_memory_messages` integer DEFAULT 20 NOT NULL,
	`ai_daily_quota` integer DEFAULT 50 NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bots_name_unique` ON `bots` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `bots_token_fingerprint_unique` ON `bots` (`token_fingerprint`);--> statement-breakpoint
CREATE TABLE `broadcast_deliveries` (
	`broadcast_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`error` text,
	`message_id` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`broadcast_id`, `chat_id`),
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broadcast_deliveries_status_idx` ON `broadcast_deliveries` (`broadcast_id`,`status`);--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`text` text NOT NULL,
	`parse_mode` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`task_id` integer,
	`content_item_id` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `chat_daily_activity` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`day` text NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`active_users` integer DEFAULT 0 NOT NULL,
	`joins` integer DEFAULT 0 NOT NULL,
	`leaves` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `chat_hourly_activity` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`weekday` integer NOT NULL,
	`hour` integer NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `weekday`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `chat_snapshots` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`period_start` integer NOT NULL,
	`member_count` integer,
	`admin_count` integer,
	`bot_role` text,
	`error` text,
	`collected_at` integer NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `period_start`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chat_snapshots_bot_period_idx` ON `chat_snapshots` (`bot_id`,`period_start`);--> statement-breakpoint
CREATE TABLE `chat_stats` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`result` text NOT NULL,
	`member_count` integer,
	`admin_count` integer,
	`error` text,
	`collected_at` integer NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `chat_user_daily` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`day` text NOT NULL,
	`user_id` integer NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `day`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `chat_user_daily_user_idx` ON `chat_user_daily` (`bot_id`,`chat_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `chats` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`type` text NOT NULL,
	`title` text,
	`username` text,
	`first_name` text,
	`last_name` text,
	`is_forum` integer DEFAULT false NOT NULL,
	`bot_role` text,
	`migrated_to_chat_id` integer,
	`first_seen_at` integer DEFAULT (unixepoch()) NOT NULL,
	`last_seen_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chats_bot_chat_uq` ON `chats` (`bot_id`,`chat_id`);--> statement-breakpoint
CREATE INDEX `chats_bot_type_idx` ON `chats` (`bot_id`,`type`);--> statement-breakpoint
CREATE INDEX `chats_bot_last_seen_idx` ON `chats` (`bot_id`,`last_seen_at`);--> statement-breakpoint
CREATE TABLE `content_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`url` text,
	`summary` text,
	`published_at` integer DEFAULT (unixepoch()) NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `content_items_kind_published_idx` ON `content_items` (`kind`,`published_at`);--> statement-breakpoint
CREATE TABLE `feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`text` text NOT NULL,
	`update_id` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feedback_bot_update_uq` ON `feedback` (`bot_id`,`update_id`);--> statement-breakpoint
CREATE INDEX `feedback_created_idx` ON `feedback` (`created_at`);--> statement-breakpoint
CREATE TABLE `member_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`event` text NOT NULL,
	`date` integer NOT NULL,
	`update_id` integer
);
--> statement-breakpoint
CREATE INDEX `member_events_bot_chat_date_idx` ON `member_events` (`bot_id`,`chat_id`,`date`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer,
	`update_id` integer,
	`from_user_id` integer,
	`sender_chat_id` integer,
	`thread_id` integer,
	`date` integer NOT NULL,
	`edit_date` integer,
	`kind` text NOT NULL,
	`service_type` text,
	`text` text,
	`entities` text,
	`media_type` text,
	`file_id` text,
	`callback_query_id` text,
	`callback_data` text,
	`reply_to_message_id` integer,
	`direction` text DEFAULT 'in' NOT NULL,
	`raw` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_bot_chat_msg_uq` ON `messages` (`bot_id`,`chat_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `messages_bot_chat_date_idx` ON `messages` (`bot_id`,`chat_id`,`date`);--> statement-breakpoint
CREATE INDEX `messages_bot_date_idx` ON `messages` (`bot_id`,`date`);--> statement-breakpoint
CREATE INDEX `messages_bot_kind_date_idx` ON `messages` (`bot_id`,`kind`,`date`);--> statement-breakpoint
CREATE INDEX `messages_bot_user_idx` ON `messages` (`bot_id`,`from_user_id`);--> statement-breakpoint
CREATE TABLE `processed_updates` (
	`bot_id` integer NOT NULL,
	`update_id` integer NOT NULL,
	`status` text DEFAULT 'processing' NOT NULL,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`effects` text,
	`update_type` text,
	`received_at` integer DEFAULT (unixepoch()) NOT NULL,
	`done_at` integer,
	PRIMARY KEY(`bot_id`, `update_id`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `processed_updates_received_idx` ON `processed_updates` (`bot_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`data` text NOT NULL,
	`expires_at` integer NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_key_uq` ON `sessions` (`bot_id`,`chat_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `staff_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'staff' NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`last_login_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_username_unique` ON `staff_users` (`username`);--> statement-breakpoint
CREATE TABLE `tg_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text,
	`username` text,
	`language_code` text,
	`is_bot` integer DEFAULT false NOT NULL,
	`preferences` text DEFAULT '{}' NOT NULL,
	`blocked_bot` integer DEFAULT false NOT NULL,
	`first_seen_at` integer DEFAULT (unixepoch()) NOT NULL,
	`last_seen_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tg_users_bot_user_uq` ON `tg_users` (`bot_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `tg_users_bot_username_idx` ON `tg_users` (`bot_id`,`username`);