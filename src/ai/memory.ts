// Conversation memory per chat, kept in the bot's Durable Object storage and bounded by
// the bot's message count (ai_memory_messages) and a total size, oldest dropped first.
import type { ChatTurn } from "./provider";

/** The most text (UTF-16 units) kept per chat, whatever the message count allows. */
export const MEMORY_MAX_CHARS = 12_000;

export const memoryKey = (chatId: number) => `aimem:${chatId}`;
const summaryNoteKey = (chatId: number) => `aisumnote:${chatId}`;

export function boundMemory(turns: ChatTurn[], maxMessages: number, maxChars = MEMORY_MAX_CHARS): ChatTurn[] {
  if (maxMessages <= 0) return [];
  let kept = turns.slice(-maxMessages);
  let size = kept.reduce((n, t) => n + t.content.length, 0);
  while (kept.length > 0 && size > maxChars) {
    size -= kept[0]?.content.length ?? 0;
    kept = kept.slice(1);
  }
  // A conversation should not open with the assistant's half of an exchange.
  while (kept[0]?.role === "assistant") kept = kept.slice(1);
  return kept;
}

export interface MemoryStore {
  load(chatId: number): Promise<ChatTurn[]>;
  save(chatId: number, turns: ChatTurn[]): Promise<void>;
  clear(chatId: number): Promise<void>;
  /** True the first time it is asked for this chat (the summary notice is shown once). */
  firstSummary(chatId: number): Promise<boolean>;
}

export function doMemoryStore(storage: DurableObjectStorage): MemoryStore {
  return {
    load: async (chatId) => (await storage.get<ChatTurn[]>(memoryKey(chatId))) ?? [],
    save: (chatId, turns) => storage.put(memoryKey(chatId), turns),
    clear: async (chatId) => {
      await storage.delete(memoryKey(chatId));
    },
    firstSummary: async (chatId) => {
      const key = summaryNoteKey(chatId);
      if (await storage.get(key)) return false;
      await storage.put(key, true);
      return true;
    },
  };
}

/**
 * A group became a supergroup: its conversation goes on under the new id, the old turns
 * first. Idempotent: with nothing left under the old id it changes nothing.
 */
export async function moveMemory(storage: DurableObjectStorage, oldId: number, newId: number): Promise<void> {
  const old = await storage.get<ChatTurn[]>(memoryKey(oldId));
  if (!old) return;
  const now = (await storage.get<ChatTurn[]>(memoryKey(newId))) ?? [];
  const merged = boundMemory([...old, ...now], old.length + now.length);
  await storage.put(memoryKey(newId), merged);
  await storage.delete(memoryKey(oldId));
  // The notice that earlier turns were summarised was shown to the chat already.
  if (await storage.get(summaryNoteKey(oldId))) {
    await storage.put(summaryNoteKey(newId), true);
    await storage.delete(summaryNoteKey(oldId));
  }
}
