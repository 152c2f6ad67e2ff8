// tg_users.preferences: one setting saved from /settings.
import { sql } from "drizzle-orm";
import type { Db } from "./client";

/**
 * Sets one preference (a JSON path such as "$.language" to a JSON value) for the user and
 * answers the saved preferences (JSON text) with the language_code; undefined when the bot
 * has no row for that user.
 */
export async function setUserPreference(
  db: Db,
  botId: number,
  userId: number,
  patch: { path: string; json: string },
): Promise<{ preferences: string; language_code: string | null } | undefined> {
  return db.get<{ preferences: string; language_code: string | null } | undefined>(sql`
      UPDATE tg_users SET preferences = json_set(coalesce(preferences, '{}'), ${patch.path}, json(${patch.json}))
      WHERE bot_id = ${botId} AND user_id = ${userId}
      RETURNING preferences, language_code`);
}
