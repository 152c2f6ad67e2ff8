// The Bot API as the AI reply needs it: journaled calls in named lanes. Each lane is its
// own key sequence under the answered update (the coordinator maps lane "x:" to journal
// keys "ai:x:..."), so a job answered again after a restart finds the final message, the
// group's streamed message and its final edit under the same keys whatever number of
// drafts or edits the earlier attempt made. Intermediate drafts and edits may be skipped.
import type { Message } from "@grammyjs/types";
import type { ApiMethod, ApiParams, ApiResult } from "../lib/bot-api";

export type Lane =
  /** The one reply in private chats (and any plain reply): keys "ai:reply:N", as before streaming. */
  | ""
  | "typing:"
  | "draft:"
  /** The group message that is edited while the answer streams. */
  | "first:"
  | "edit:"
  /** The group message's final edit. */
  | "final:"
  /** Pieces of a long answer after the first 4096 characters. */
  | "more:"
  /** The "earlier conversation summarised" notice. */
  | "note:";

export interface AiEffects {
  /** A journaled call; undefined when refused, outcome unknown, or done by an earlier attempt. */
  call<M extends ApiMethod>(lane: Lane, method: M, params: ApiParams<M>): Promise<ApiResult<M> | undefined>;
  /**
   * A journaled reply (split over 4096 characters); answers its messages, sent now or by an
   * earlier attempt, stored as outgoing. Throws when nothing certainly arrived.
   */
  reply(lane: Lane, chatId: number, text: string, extra?: Omit<Partial<ApiParams<"sendMessage">>, "chat_id" | "text">): Promise<Message[]>;
}
