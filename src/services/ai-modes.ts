// AI modes: the named system prompts staff keep per bot, which chats choose with /mode.
// The JSON API and the admin AI page both go through here.
import { z } from "zod";
import { type AiMode, addMode, deleteMode, listModes, updateMode } from "../db/ai-settings";
import { requireBot } from "../db/bots";
import type { Db } from "../env";
import { AppError } from "../lib/errors";

const name = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.string().regex(/^[a-z0-9_-]{1,32}$/, "1-32 characters of a-z, 0-9, _ and -"))
  .refine((n) => n !== "default", "“default” is the bot's own prompt");
const prompt = z.string().trim().min(1).max(4000);

export const createModeSchema = z.strictObject({ name, prompt });
export const patchModeSchema = z
  .strictObject({ name, prompt })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const modeJson = (m: AiMode) => ({ id: m.id, bot_id: m.botId, name: m.name, prompt: m.prompt, created_at: m.createdAt });

export async function botModes(db: Db, botId: number) {
  await requireBot(db, botId);
  return (await listModes(db, botId)).map(modeJson);
}

export async function createMode(db: Db, botId: number, input: z.infer<typeof createModeSchema>) {
  await requireBot(db, botId);
  const row = await addMode(db, botId, input.name, input.prompt);
  if (!row) throw new AppError("CONFLICT", `This bot already has a mode named “${input.name}”`);
  return modeJson(row);
}

export async function changeMode(db: Db, botId: number, id: number, patch: z.infer<typeof patchModeSchema>) {
  await requireBot(db, botId);
  let row: AiMode | undefined;
  try {
    row = await updateMode(db, botId, id, patch);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new AppError("CONFLICT", `This bot already has a mode named “${patch.name}”`);
    throw err;
  }
  if (!row) throw new AppError("NOT_FOUND", "No such mode for this bot");
  return modeJson(row);
}

export async function removeMode(db: Db, botId: number, id: number): Promise<void> {
  await requireBot(db, botId);
  if (!(await deleteMode(db, botId, id))) throw new AppError("NOT_FOUND", "No such mode for this bot");
}
