// A bot's custom commands (bot_commands) as the command handlers read them: the active
// ones for /help, and one by name for running it.
import { sql } from "drizzle-orm";
import type { Db } from "../env";

/** The bot's active custom commands, by command name. */
export async function listActiveCustomCommands(db: Db, botId: number): Promise<{ command: string; description: string }[]> {
  return db.all<{ command: string; description: string }>(sql`
      SELECT command, description FROM bot_commands WHERE bot_id = ${botId} AND is_active = 1 ORDER BY command`);
}

/** The bot's active custom command of that name (its fixed reply or handler name), if any. */
export async function findActiveCustomCommand(
  db: Db,
  botId: number,
  command: string,
): Promise<{ reply_text: string | null; handler_name: string | null } | undefined> {
  return db.get<{ reply_text: string | null; handler_name: string | null } | undefined>(sql`
    SELECT reply_text, handler_name FROM bot_commands
    WHERE bot_id = ${botId} AND command = ${command} AND is_active = 1`);
}
