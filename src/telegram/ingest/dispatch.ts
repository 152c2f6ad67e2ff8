// After an update is stored: commands first, then a waiting dialog, then the AI offer.
// Every visible effect goes through the EffectRunner, so it happens at most once.
import type { CallbackQuery, Chat, Message, User } from "@grammyjs/types";
import { offerToAi } from "../../ai/hook";
import { runCustomCommand } from "../commands/custom";
import { isForOtherBot, parseCommand } from "../commands/parse";
import { findCallbackHandler, findCommand, findDialog } from "../commands/registry";
import type { CommandContext, HandlerContext } from "../commands/types";
import { type Lang, t } from "../i18n";
import type { EffectDeps, EffectRunner } from "./effects";
import type { Normalized, RawUpdate } from "./normalize";
import type { SessionCache } from "./session-cache";

export interface DispatchInput {
  deps: EffectDeps;
  runner: EffectRunner;
  update: RawUpdate;
  n: Normalized;
  lang: Lang;
  preferences: Record<string, unknown>;
  /** Dialog sessions as this batch sees them (read in its commit, kept in step by the handlers). */
  sessions: SessionCache;
}

function baseContext(input: DispatchInput, chat: Chat, from: User | undefined, threadId?: number): HandlerContext {
  const { deps, runner, lang } = input;
  const key = { botId: deps.bot.id, chatId: chat.id, userId: from?.id ?? 0 };
  return {
    env: deps.env,
    db: deps.db,
    log: deps.log,
    bot: deps.bot,
    updateId: input.update.update_id,
    chat,
    from,
    lang,
    preferences: input.preferences,
    t: (k, vars) => t(lang, k, vars),
    reply: (text, extra = {}) => runner.reply(chat.id, text, { ...(threadId !== undefined && { message_thread_id: threadId }), ...extra }),
    call: (method, params) => runner.call(method, params),
    session: input.sessions.handle(deps.env, deps.db, key),
    clearAiMemory: () => deps.coordinator.clearAiMemory(chat.id),
    cancelAi: () => deps.coordinator.cancelAi(chat.id, from?.id ?? 0),
    retryAi: async () => {
      const message = input.n.message;
      if (!from || !message) return false;
      return deps.coordinator.retryAi({
        chatId: chat.id,
        userId: from.id,
        updateId: input.update.update_id,
        messageId: message.message_id,
        ...(threadId !== undefined ? { threadId } : {}),
      });
    },
  };
}

/** Should we look up a dialog session for this update? (Only plain user messages can continue a dialog.) */
export function wantsSession(n: Normalized): boolean {
  const m = n.message;
  return n.type === "message" && Boolean(m?.from) && typeof m?.text === "string" && !m.text.startsWith("/");
}

/**
 * Whether this update can have any effect after storing, decided before the store batch so
 * that an update with nothing to do is marked done inside that batch (one round trip fewer):
 *  - "never": dispatch after storing (our commands, callbacks, and messages the AI may answer);
 *  - "unless-session": done in the batch unless the sender has a dialog session waiting;
 *  - "always": nothing to do (edits, channel posts, membership, unknown kinds, others' commands...).
 * The AI is consulted only for bots with AI enabled (offerToAi answers false otherwise).
 */
export function finishPlan(n: Normalized, bot: { username: string | null; aiEnabled: boolean }): "never" | "unless-session" | "always" {
  if (n.type === "callback_query") return "never";
  if (n.type !== "message" || !n.message) return "always";
  if (migrationOf(n.message)) return "never";
  const cmd = parseCommand(n.message);
  if (cmd) return isForOtherBot(cmd, bot.username) ? "always" : "never";
  if (bot.aiEnabled) return "never";
  return wantsSession(n) ? "unless-session" : "always";
}

/** The move a group's upgrade service message announces (either side of it), if any. */
function migrationOf(m: Message): { from: number; to: number } | undefined {
  if (typeof m.migrate_to_chat_id === "number") return { from: m.chat.id, to: m.migrate_to_chat_id };
  if (typeof m.migrate_from_chat_id === "number") return { from: m.migrate_from_chat_id, to: m.chat.id };
  return undefined;
}

export async function dispatch(input: DispatchInput): Promise<void> {
  const { n } = input;
  if (n.type === "callback_query") return dispatchCallback(input);
  if (n.type !== "message" || !n.message) return;
  const m = n.message;
  const moved = migrationOf(m);
  // D1's rows moved in the update's own commit; the coordinator's per-chat state follows now.
  if (moved) return input.deps.coordinator.migrateChat(moved.from, moved.to);
  const threadId = m.is_topic_message ? m.message_thread_id : undefined;
  const ctx = baseContext(input, m.chat, m.from, threadId);

  const cmd = parseCommand(m);
  if (cmd) {
    if (isForOtherBot(cmd, input.deps.bot.username)) return;
    const cctx: CommandContext = { ...ctx, message: m, command: cmd.name, args: cmd.args };
    const builtin = findCommand(cmd.name);
    if (builtin) return builtin.handle(cctx);
    if (await runCustomCommand(cctx)) return;
    // In groups an unaddressed unknown command may be meant for another bot: stay quiet there.
    if (m.chat.type === "private" || cmd.target) await ctx.reply(ctx.t("unknown"));
    return;
  }

  const session = wantsSession(n) ? await ctx.session.get() : null;
  const dialog = session?.dialog ? findDialog(session.dialog) : undefined;
  if (session && dialog && typeof m.text === "string") {
    return dialog.handle({ ...ctx, message: m, text: m.text, state: session });
  }

  await offerToAi(
    { log: input.deps.log, bot: input.deps.bot, message: m as Message, updateId: input.update.update_id },
    input.deps.coordinator,
  );
}

async function dispatchCallback(input: DispatchInput): Promise<void> {
  const q = input.update.callback_query as CallbackQuery;
  const msg = q.message && q.message.date !== 0 ? (q.message as Message) : undefined;
  const chat: Chat = q.message?.chat ?? ({ id: q.from.id, type: "private", first_name: q.from.first_name } as Chat);
  const ctx = baseContext(input, chat, q.from);
  const handler = q.data ? findCallbackHandler(q.data) : undefined;
  if (handler && q.data) return handler.handle({ ...ctx, query: q, data: q.data, message: msg });
  // Not ours (or a game/inline button): still stop the button's spinner.
  await ctx.call("answerCallbackQuery", { callback_query_id: q.id });
}
