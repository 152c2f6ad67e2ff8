// The shape check every update passes before anything is stored. It covers only the
// fields ingest reads from the kinds it knows (objects stay open: Telegram adds fields
// all the time); an update of a kind we do not know is not checked and is kept raw.
// A known kind with the wrong shape is the sender's mistake, answered 400 with the path
// of the first bad field, never a 5xx that would make Telegram redeliver it for a day.
import { z } from "zod";
import { AppError } from "../../lib/errors";
import { issuesOf } from "../../lib/validate";
import type { RawUpdate } from "./normalize";

const id = z.number().int(); // zod's int() is a safe integer, which every Telegram id is
const time = z.number().int().nonnegative();
const text = z.string().max(1_000_000);
const optText = text.optional();

const user = z.looseObject({
  id,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: optText,
  username: optText,
  language_code: optText,
});

const chat = z.looseObject({
  id,
  type: z.string().min(1).max(32),
  title: optText,
  username: optText,
  first_name: optText,
  last_name: optText,
  is_forum: z.boolean().optional(),
});

const fileRef = z.looseObject({ file_id: optText });

const message = z.looseObject({
  message_id: id,
  date: time,
  chat,
  from: user.optional(),
  sender_chat: chat.optional(),
  message_thread_id: id.optional(),
  edit_date: time.optional(),
  text: optText,
  caption: optText,
  entities: z.array(z.unknown()).optional(),
  caption_entities: z.array(z.unknown()).optional(),
  photo: z.array(z.looseObject({ file_id: text, width: z.number().optional(), height: z.number().optional() })).optional(),
  document: fileRef.optional(),
  video: fileRef.optional(),
  audio: fileRef.optional(),
  voice: fileRef.optional(),
  sticker: fileRef.optional(),
  animation: fileRef.optional(),
  video_note: fileRef.optional(),
  reply_to_message: z.looseObject({ message_id: id }).optional(),
  new_chat_members: z.array(user).optional(),
  left_chat_member: user.optional(),
  migrate_to_chat_id: id.optional(),
  migrate_from_chat_id: id.optional(),
});

const callbackQuery = z.looseObject({
  id: z.string().min(1).max(256),
  from: user,
  data: z.string().max(256).optional(),
  // An inaccessible message still has chat, message_id and date 0.
  message: z.looseObject({ message_id: id, chat, date: time }).optional(),
});

const member = z.looseObject({ status: z.string().min(1).max(32), user });
const inviteLink = z.looseObject({ invite_link: text, name: optText, creator: user.optional() });
const memberUpdate = z.looseObject({
  chat,
  from: user,
  date: time,
  old_chat_member: member,
  new_chat_member: member,
  invite_link: inviteLink.optional(),
  via_join_request: z.boolean().optional(),
});

// ReactionType: emoji, custom_emoji or paid (open: a new type is stored under its name).
const reactionType = z.looseObject({ type: z.string().min(1).max(32), emoji: optText, custom_emoji_id: optText });
const reactions = z.array(reactionType).max(200);
const messageReaction = z.looseObject({
  chat,
  message_id: id,
  user: user.optional(),
  actor_chat: chat.optional(),
  date: time,
  old_reaction: reactions,
  new_reaction: reactions,
});
const messageReactionCount = z.looseObject({
  chat,
  message_id: id,
  date: time,
  reactions: z.array(z.looseObject({ type: reactionType, total_count: z.number().int().nonnegative() })).max(200),
});
const chatJoinRequest = z.looseObject({ chat, from: user, date: time, invite_link: inviteLink.optional() });

const SHAPES: Record<string, z.ZodType> = {
  message,
  edited_message: message,
  channel_post: message,
  edited_channel_post: message,
  callback_query: callbackQuery,
  my_chat_member: memberUpdate,
  chat_member: memberUpdate,
  message_reaction: messageReaction,
  message_reaction_count: messageReactionCount,
  chat_join_request: chatJoinRequest,
};

/** Throws a 400 AppError when a known kind of update lacks what ingest needs. */
export function assertUpdateShape(update: RawUpdate): void {
  const kinds = Object.keys(update).filter((k) => k !== "update_id");
  for (const kind of kinds) {
    const shape = SHAPES[kind];
    if (!shape) continue;
    const r = shape.safeParse(update[kind]);
    if (!r.success) {
      const issues = issuesOf(r.error).map((i) => ({ ...i, path: i.path ? `${kind}.${i.path}` : kind }));
      const first = issues[0];
      throw new AppError("BAD_REQUEST", `Not a valid Telegram Update: ${first?.path}: ${first?.message}`, { issues });
    }
  }
}

/** The reason an update fails the shape check, or null when it passes. */
export function shapeProblem(update: RawUpdate): string | null {
  try {
    assertUpdateShape(update);
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
}
