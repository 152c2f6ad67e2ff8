CREATE TABLE `ai_limit_notices` (
	`bot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`limit_key` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`bot_id`, `user_id`, `limit_key`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ai_usage_totals` (
	`bot_id` integer NOT NULL,
	`scope` text NOT NULL,
	`subject_id` integer NOT NULL,
	`period` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `scope`, `subject_id`, `period`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `bots` ADD `ai_limits` text;--> statement-breakpoint
ALTER TABLE `bots` ADD `ai_group_allowlist` text;