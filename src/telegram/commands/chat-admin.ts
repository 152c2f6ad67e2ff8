// Who may change a chat's AI settings: in a private chat its user; in a group only the
// chat's administrators, asked of Telegram (getChatMember, journaled like every call).
import type { HandlerContext } from "./types";

export async function mayChangeAiSettings(ctx: HandlerContext): Promise<boolean> {
  if (ctx.chat.type === "private") return true;
  if (!ctx.from) return false;
  // Undefined when Telegram refused, the outcome is unknown, or an earlier attempt of this
  // update asked already: each counts as "not an admin" (nothing changes).
  const member = await ctx.call("getChatMember", { chat_id: ctx.chat.id, user_id: ctx.from.id });
  return member?.status === "creator" || member?.status === "administrator";
}

export const ADMINS_ONLY = "Only this chat's administrators can change its AI settings.";
