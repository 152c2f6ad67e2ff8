CREATE TABLE `ai_modes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`name` text NOT NULL,
	`prompt` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ai_modes_bot_name` ON `ai_modes` (`bot_id`,`name`);--> statement-breakpoint
CREATE TABLE `chat_ai_settings` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`mode_id` integer,
	`model` text,
	`updated_by` integer,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mode_id`) REFERENCES `ai_modes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `chat_ai_settings_mode` ON `chat_ai_settings` (`mode_id`);