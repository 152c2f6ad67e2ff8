// Queries for AI modes and per-chat AI settings (schema/ai-settings.ts).
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { aiModes, chatAiSettings } from "./schema";

export type AiMode = typeof aiModes.$inferSelect;

export function listModes(db: Db, botId: number): Promise<AiMode[]> {
  return db.select().from(aiModes).where(eq(aiModes.botId, botId)).orderBy(asc(aiModes.name)).all();
}

export async function findMode(db: Db, botId: number, by: { id: number } | { name: string }): Promise<AiMode | undefined> {
  const match = "id" in by ? eq(aiModes.id, by.id) : eq(aiModes.name, by.name);
  return db
    .select()
    .from(aiModes)
    .where(and(eq(aiModes.botId, botId), match))
    .get();
}

/** Inserts a mode; undefined when the bot already has one by that name. */
export async function addMode(db: Db, botId: number, name: string, prompt: string): Promise<AiMode | undefined> {
  return db.insert(aiModes).values({ botId, name, prompt }).onConflictDoNothing().returning().get();
}

export async function updateMode(db: Db, botId: number, id: number, patch: { name?: string; prompt?: string }) {
  return db
    .update(aiModes)
    .set(patch)
    .where(and(eq(aiModes.botId, botId), eq(aiModes.id, id)))
    .returning()
    .get();
}

export async function deleteMode(db: Db, botId: number, id: number): Promise<boolean> {
  // Chats in that mode go back to the bot's prompt (the foreign key's set null, done here
  // too, since D1 enforces foreign keys only when asked to).
  const [, del] = await db.batch([
    db
      .update(chatAiSettings)
      .set({ modeId: null })
      .where(and(eq(chatAiSettings.botId, botId), eq(chatAiSettings.modeId, id))),
    db
      .delete(aiModes)
      .where(and(eq(aiModes.botId, botId), eq(aiModes.id, id)))
      .returning({ id: aiModes.id }),
  ]);
  return del.length > 0;
}

export interface ChatAiChoice {
  mode: AiMode | null;
  model: string | null;
}

export async function chatAiChoice(db: Db, botId: number, chatId: number): Promise<ChatAiChoice> {
  const row = await db
    .select({ model: chatAiSettings.model, mode: aiModes })
    .from(chatAiSettings)
    .leftJoin(aiModes, eq(aiModes.id, chatAiSettings.modeId))
    .where(and(eq(chatAiSettings.botId, botId), eq(chatAiSettings.chatId, chatId)))
    .get();
  return { mode: row?.mode ?? null, model: row?.model ?? null };
}

/** Sets one of the chat's choices (null = back to the bot's default). */
export async function setChatAiChoice(
  db: Db,
  key: { botId: number; chatId: number; userId: number },
  patch: { modeId: number | null } | { model: string | null },
): Promise<void> {
  await db
    .insert(chatAiSettings)
    .values({ botId: key.botId, chatId: key.chatId, updatedBy: key.userId, ...patch })
    .onConflictDoUpdate({
      target: [chatAiSettings.botId, chatAiSettings.chatId],
      set: { ...patch, updatedBy: key.userId, updatedAt: sql`unixepoch()` },
    });
}
