// What a caller may give to create or change a custom command, and its JSON shape.
// The JSON API and the dashboard's form both parse with these schemas. Names and menu
// descriptions follow Telegram's BotCommand rules; buttons follow its inline keyboard rules.
import { z } from "zod";
import type { botCommands, CommandButton, CommandKeyboard } from "../db/schema";
import { randomToken } from "../lib/crypto";
import { withSafeLinks, zHttpUrl } from "../lib/validate";
import { ALL_AUDIENCES, MAX_DESCRIPTION } from "../telegram/commands/menus";
import { namedHandlerNames } from "../telegram/commands/registry";

const commandName = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, "").toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{1,32}$/, "1-32 characters of a-z, 0-9, _"));
const handlerName = z.string().refine((h) => namedHandlerNames().includes(h), { message: `unknown handler` });

/** Telegram's limits for inline keyboards: 8 buttons a row, 100 in all. */
export const MAX_ROW_BUTTONS = 8;
export const MAX_BUTTONS = 100;
const buttonText = z.string().trim().min(1).max(64);
// callback_data is "kb:{command id}:{button id}": with a 16-character id it stays far under 64 bytes.
const buttonId = z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, "1-16 characters of A-Z, a-z, 0-9, _, -");

const urlButton = z.strictObject({ text: buttonText, url: zHttpUrl });
const replyButton = z.strictObject({
  text: buttonText,
  callback_reply: withSafeLinks(z.string().trim().min(1).max(4096)),
  id: buttonId.optional(),
  edit: z.boolean().optional(),
});
const button = z.union([urlButton, replyButton], {
  error: "a button is {text, url} (an http(s) link) or {text, callback_reply} (a reply sent when pressed)",
});

const keyboard = z
  .array(z.array(button).min(1, "a row needs at least one button").max(MAX_ROW_BUTTONS, `at most ${MAX_ROW_BUTTONS} buttons a row`))
  .max(MAX_BUTTONS)
  .refine((rows) => rows.flat().length <= MAX_BUTTONS, `at most ${MAX_BUTTONS} buttons`)
  .refine((rows) => {
    const ids = rows.flat().flatMap((b) => ("id" in b && b.id ? [b.id] : []));
    return new Set(ids).size === ids.length;
  }, "button ids must be different")
  .nullable();
type KeyboardInput = z.infer<typeof keyboard>;

const audiences = z
  .array(z.enum(ALL_AUDIENCES as [string, ...string[]]))
  .min(1, "name at least one of private, groups, admins")
  .transform((a) => ALL_AUDIENCES.filter((x) => a.includes(x)));

const fields = {
  command: commandName,
  // Shown in Telegram's menus (1-256 characters there): an empty one shows the command's name.
  description: z.string().trim().max(MAX_DESCRIPTION),
  description_ru: z
    .string()
    .trim()
    .max(MAX_DESCRIPTION)
    .nullable()
    .transform((s) => s || null),
  audiences,
  reply_text: withSafeLinks(z.string().min(1).max(4096)).nullable(),
  handler_name: handlerName.nullable(),
  keyboard,
  is_active: z.boolean(),
};

const hasButtons = (k: KeyboardInput | undefined) => Boolean(k && k.length > 0);
const KEYBOARD_NEEDS_REPLY = "buttons go under a reply_text; a handler command cannot have them";

export const createCommandSchema = z
  .strictObject({ bot_id: z.number().int().positive(), ...z.object(fields).partial().shape, command: commandName })
  .refine((b) => Boolean(b.reply_text) !== Boolean(b.handler_name), "give exactly one of reply_text and handler_name")
  .refine((b) => !hasButtons(b.keyboard) || Boolean(b.reply_text), { message: KEYBOARD_NEEDS_REPLY, path: ["keyboard"] });
export type CreateCommandInput = z.infer<typeof createCommandSchema>;

export const patchCommandSchema = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type PatchCommandInput = z.infer<typeof patchCommandSchema>;

export { KEYBOARD_NEEDS_REPLY };

/** The keyboard to store: every reply button with an id (kept when given, so old messages' buttons still work); none for []. */
export function keyboardToStore(input: KeyboardInput | undefined): CommandKeyboard | null {
  if (!input || input.length === 0) return null;
  return input.map((row) =>
    row.map((b): CommandButton => ("url" in b ? { text: b.text, url: b.url } : { ...b, id: b.id ?? randomToken(6) })),
  );
}

export type CommandRow = typeof botCommands.$inferSelect;

/** A command as the API answers it. */
export const commandJson = (r: CommandRow) => ({
  id: r.id,
  bot_id: r.botId,
  command: r.command,
  description: r.description,
  description_ru: r.descriptionRu,
  audiences: r.audiences,
  reply_text: r.replyText,
  handler_name: r.handlerName,
  keyboard: r.keyboard,
  is_active: r.isActive,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
