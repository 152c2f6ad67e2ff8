CREATE TABLE `chat_reaction_daily` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`day` text NOT NULL,
	`reactions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `invite_joins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`invite_link` text,
	`link_name` text,
	`creator_user_id` integer,
	`via_join_request` integer DEFAULT false NOT NULL,
	`date` integer NOT NULL,
	`update_id` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invite_joins_bot_update_uq` ON `invite_joins` (`bot_id`,`update_id`);--> statement-breakpoint
CREATE INDEX `invite_joins_bot_chat_date_idx` ON `invite_joins` (`bot_id`,`chat_id`,`date`);--> statement-breakpoint
CREATE TABLE `message_reaction_counts` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`reaction` text NOT NULL,
	`count` integer NOT NULL,
	`date` integer NOT NULL,
	PRIMARY KEY(`bot_id`, `chat_id`, `message_id`, `reaction`)
);
--> statement-breakpoint
CREATE TABLE `message_reactions` (
	`bot_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`actor_id` integer NOT NULL,
	`actor_is_chat` integer DEFAULT false NOT NULL,
	`reaction` text NOT NULL,
	`date` integer NOT NULL,
	`update_id` integer,
	PRIMARY KEY(`bot_id`, `chat_id`, `message_id`, `actor_id`, `reaction`)
);
