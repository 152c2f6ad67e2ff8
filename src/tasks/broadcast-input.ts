// The body of a new broadcast, for POST /api/broadcasts and the compose page alike.
import { z } from "zod";
import { withSafeLinks } from "../lib/validate";
import { AUDIENCES } from "./broadcast-audience";
import { buttonsSchema, REPEATS } from "./broadcast-schedule";

const chatId = z
  .number()
  .int()
  .refine((n) => n !== 0 && Number.isSafeInteger(n), "not a Telegram chat id");

export const broadcastInputSchema = z
  .strictObject({
    bot_id: z.number().int().positive(),
    text: withSafeLinks(z.string().trim().min(1).max(4096)),
    parse_mode: z.enum(["HTML", "MarkdownV2", "Markdown"]).nullish(),
    chat_ids: z.array(chatId).min(1).max(10_000).optional(),
    audience: z.enum(AUDIENCES).optional(),
    buttons: buttonsSchema.optional(),
    // Epoch seconds; the broadcast waits until then (up to a year ahead).
    send_at: z.number().int().positive().optional(),
    repeat_every: z.enum(REPEATS).optional(),
  })
  .refine((v) => !(v.chat_ids && v.audience), "give either chat_ids or audience, not both");
export type BroadcastInput = z.infer<typeof broadcastInputSchema>;
