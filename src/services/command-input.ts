// What a caller may give to create or change a custom command, and its JSON shape.
// The JSON API and the dashboard's form both parse with these schemas.
import { z } from "zod";
import type { botCommands } from "../db/schema";
import { withSafeLinks } from "../lib/validate";
import { namedHandlerNames } from "../telegram/commands/registry";

const commandName = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, "").toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{1,32}$/, "1-32 characters of a-z, 0-9, _"));
const handlerName = z.string().refine((h) => namedHandlerNames().includes(h), { message: `unknown handler` });

const fields = {
  command: commandName,
  description: z.string().max(256),
  reply_text: withSafeLinks(z.string().min(1).max(4096)).nullable(),
  handler_name: handlerName.nullable(),
  is_active: z.boolean(),
};

export const createCommandSchema = z
  .strictObject({ bot_id: z.number().int().positive(), ...z.object(fields).partial().shape, command: commandName })
  .refine((b) => Boolean(b.reply_text) !== Boolean(b.handler_name), "give exactly one of reply_text and handler_name");
export type CreateCommandInput = z.infer<typeof createCommandSchema>;

export const patchCommandSchema = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type PatchCommandInput = z.infer<typeof patchCommandSchema>;

export type CommandRow = typeof botCommands.$inferSelect;

/** A command as the API answers it. */
export const commandJson = (r: CommandRow) => ({
  id: r.id,
  bot_id: r.botId,
  command: r.command,
  description: r.description,
  reply_text: r.replyText,
  handler_name: r.handlerName,
  is_active: r.isActive,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
