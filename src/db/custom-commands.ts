// A bot's custom commands (bot_commands) as the command handlers and the menus read them:
// the active ones for /help and the menus, one by name for running it, and one by id for
// the buttons under its reply.
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import type { CommandAudience, CommandKeyboard } from "./schema";

export interface ActiveCustomCommand {
  command: string;
  description: string;
  description_ru: string | null;
  audiences: CommandAudience[];
}

const parseJson = <T>(raw: string | null, fallback: T): T => {
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
};

/** The bot's active custom commands, by command name. */
export async function listActiveCustomCommands(db: Db, botId: number): Promise<ActiveCustomCommand[]> {
  const rows = await db.all<Omit<ActiveCustomCommand, "audiences"> & { audiences: string }>(sql`
      SELECT command, description, description_ru, audiences FROM bot_commands
      WHERE bot_id = ${botId} AND is_active = 1 ORDER BY command`);
  return rows.map((r) => ({ ...r, audiences: parseJson<CommandAudience[]>(r.audiences, ["private", "groups"]) }));
}

export interface RunnableCustomCommand {
  id: number;
  reply_text: string | null;
  handler_name: string | null;
  keyboard: CommandKeyboard | null;
}

/** The bot's active custom command of that name (its fixed reply or handler name, its buttons), if any. */
export async function findActiveCustomCommand(db: Db, botId: number, command: string): Promise<RunnableCustomCommand | undefined> {
  const row = await db.get<(Omit<RunnableCustomCommand, "keyboard"> & { keyboard: string | null }) | undefined>(sql`
    SELECT id, reply_text, handler_name, keyboard FROM bot_commands
    WHERE bot_id = ${botId} AND command = ${command} AND is_active = 1`);
  return row ? { ...row, keyboard: parseJson<CommandKeyboard | null>(row.keyboard, null) } : undefined;
}

/** The buttons of the bot's active command with this id (a button press names it), if any. */
export async function findActiveCommandKeyboard(db: Db, botId: number, commandId: number): Promise<CommandKeyboard | undefined> {
  const row = await db.get<{ keyboard: string | null } | undefined>(sql`
    SELECT keyboard FROM bot_commands WHERE id = ${commandId} AND bot_id = ${botId} AND is_active = 1`);
  return row ? (parseJson<CommandKeyboard | null>(row.keyboard, null) ?? []) : undefined;
}
