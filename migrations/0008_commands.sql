CREATE TABLE `bot_command_menus` (
	`bot_id` integer NOT NULL,
	`scope` text NOT NULL,
	`lang` text NOT NULL,
	`hash` text,
	`command_count` integer DEFAULT 0 NOT NULL,
	`synced_at` integer,
	`attempted_at` integer NOT NULL,
	`last_error` text,
	PRIMARY KEY(`bot_id`, `scope`, `lang`),
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `bot_commands` ADD `description_ru` text;--> statement-breakpoint
ALTER TABLE `bot_commands` ADD `audiences` text DEFAULT '["private","groups"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `bot_commands` ADD `keyboard` text;