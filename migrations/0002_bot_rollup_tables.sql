CREATE TABLE `bot_daily_activity` (
	`bot_id` integer NOT NULL,
	`day` text NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`active_users` integer DEFAULT 0 NOT NULL,
	`joins` integer DEFAULT 0 NOT NULL,
	`leaves` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `bot_hourly_activity` (
	`bot_id` integer NOT NULL,
	`weekday` integer NOT NULL,
	`hour` integer NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bot_id`, `weekday`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `bot_user_activity` (
	`bot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`last_day` text NOT NULL,
	PRIMARY KEY(`bot_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `bot_user_activity_bot_last_idx` ON `bot_user_activity` (`bot_id`,`last_day`,`user_id`);--> statement-breakpoint
-- WITHOUT ROWID added by hand (drizzle-kit cannot say it): analytics read one row per user by
-- this primary key, and a clustered key makes each read one b-tree lookup.
CREATE TABLE `bot_user_days` (
	`bot_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`day` text NOT NULL,
	`messages` integer NOT NULL,
	`cum_messages` integer NOT NULL,
	`cum_days` integer NOT NULL,
	PRIMARY KEY(`bot_id`, `user_id`, `day`)
) WITHOUT ROWID;
