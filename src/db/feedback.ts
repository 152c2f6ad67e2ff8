// feedback rows from /feedback. One row per update (feedback.update_id is unique), so a
// redelivery cannot store it twice.
import { sql } from "drizzle-orm";
import type { Db } from "./client";

export interface FeedbackInput {
  botId: number;
  chatId: number;
  userId: number;
  text: string;
  updateId: number;
}

export async function insertFeedback(db: Db, f: FeedbackInput): Promise<void> {
  await db.run(sql`
    INSERT INTO feedback (bot_id, chat_id, user_id, text, update_id)
    VALUES (${f.botId}, ${f.chatId}, ${f.userId}, ${f.text}, ${f.updateId})
    ON CONFLICT (bot_id, update_id) DO NOTHING`);
}
