ALTER TABLE `broadcasts` ADD `buttons` text;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `send_at` integer;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `repeat_every` text;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `audience` text;