// The single source of truth for the database: `npm run db:generate` turns it
// into SQL under migrations/, which wrangler applies and the tests apply too.
// drizzle-kit and the code read this module; the tables live by domain in schema/.
//
// Conventions: our own ids are integer autoincrement primary keys; Telegram ids
// (chat, user, message) are kept as Telegram gives them (they fit in 53 bits);
// every time is a unix epoch in seconds, like Telegram's own `date` fields.
export * from "./schema/ai";
export * from "./schema/ai-settings";
export * from "./schema/analytics";
export * from "./schema/bots";
export * from "./schema/chats";
export * from "./schema/command-menus";
export * from "./schema/kinds";
export * from "./schema/staff";
export * from "./schema/tasks";
