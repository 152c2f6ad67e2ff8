// Showing an answer while it is generated, then the final message, exactly once:
//  - private chats: sendMessageDraft with the text so far (Bot API 9.3+), then the reply;
//  - groups: one message, edited as the text grows within the group's edit budget
//    (GROUP_EDITS_PER_MINUTE, at least GROUP_EDIT_GAP_MS apart), then one final edit with
//    the full text (beyond 4096 characters, further messages).
// A refused draft or edit stops the streaming; the final text still goes out.
import type { Message } from "@grammyjs/types";
import { splitText } from "../lib/split-text";
import type { AiEffects } from "./effects";
import type { AiJob } from "./job";

/** Telegram's group limit is about 20 messages a minute; edits count against it. */
export const GROUP_EDITS_PER_MINUTE = 20;
export const GROUP_EDIT_GAP_MS = 3000;
/** Drafts are private and animated; a second apart keeps within ~1 message/s per chat. */
export const DRAFT_GAP_MS = 1000;
export const STOPPED_MARK = "(stopped)";

/** Edits (and streamed messages) per group in the last minute, shared by every answer in that group. */
export class EditBudget {
  #times = new Map<number, number[]>();
  constructor(
    readonly perMinute = GROUP_EDITS_PER_MINUTE,
    readonly gapMs = GROUP_EDIT_GAP_MS,
  ) {}

  /** Takes one edit for the chat if the budget allows it now. */
  take(chatId: number, now: number): boolean {
    const recent = (this.#times.get(chatId) ?? []).filter((t) => now - t < 60_000);
    const last = recent[recent.length - 1];
    if (recent.length >= this.perMinute || (last !== undefined && now - last < this.gapMs)) {
      this.#times.set(chatId, recent);
      return false;
    }
    recent.push(now);
    this.#times.set(chatId, recent);
    return true;
  }
}

export interface AnswerSink {
  /** The text so far (called after each streamed chunk; never waits). */
  onText(soFar: string): void;
  /** Sends the final text (once); answers the messages that hold it. */
  finish(text: string): Promise<Message[]>;
}

interface SinkDeps {
  effects: AiEffects;
  job: AiJob;
  now: () => number;
  budget: EditBudget;
}

const threadOf = (job: AiJob) => (job.threadId !== undefined ? { message_thread_id: job.threadId } : {});
const replyExtra = (job: AiJob) => ({
  reply_parameters: { message_id: job.messageId, allow_sending_without_reply: true },
  ...threadOf(job),
});
const shown = (text: string) => text.slice(0, 4096);

/** A draft id that is the same for every attempt at one job (non-zero, 32-bit). */
export const draftIdFor = (job: AiJob) => (job.updateId % 2_000_000_000) + 1;

abstract class Pump implements AnswerSink {
  protected inFlight: Promise<void> | null = null;
  protected lastAt = Number.NEGATIVE_INFINITY;
  protected off = false;
  constructor(protected readonly d: SinkDeps) {}

  onText(soFar: string): void {
    if (this.off || this.inFlight || !soFar.trim()) return;
    const run = this.push(soFar.trim());
    if (!run) return;
    this.inFlight = run
      .catch(() => {
        this.off = true;
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  /** Starts showing this text now, or answers null when it should wait for a later chunk. */
  protected abstract push(text: string): Promise<void> | null;
  abstract finish(text: string): Promise<Message[]>;
}

export class DraftSink extends Pump {
  protected push(text: string) {
    const now = this.d.now();
    if (now - this.lastAt < DRAFT_GAP_MS) return null;
    this.lastAt = now;
    const { job } = this.d;
    return this.d.effects
      .call("draft:", "sendMessageDraft", { chat_id: job.chatId, draft_id: draftIdFor(job), text: shown(text), ...threadOf(job) })
      .then((ok) => {
        // Refused (no drafts on this server, 400 method not found...) or unknown: stop drafting.
        if (ok === undefined) this.off = true;
      });
  }

  async finish(text: string) {
    await this.inFlight;
    this.off = true;
    return this.d.effects.reply("", this.d.job.chatId, text, replyExtra(this.d.job));
  }
}

export class EditSink extends Pump {
  #message: Message | undefined;
  #firstTried = false;
  /** The streamed message was sent with its final text already (no final edit needed). */
  #firstFinal = false;

  protected push(text: string) {
    const { job, budget, effects } = this.d;
    if (!budget.take(job.chatId, this.d.now())) return null;
    if (!this.#firstTried) {
      this.#firstTried = true;
      return effects.reply("first:", job.chatId, shown(text), replyExtra(job)).then((msgs) => {
        this.#message = msgs[0];
      });
    }
    const message = this.#message;
    if (!message) return null;
    return effects
      .call("edit:", "editMessageText", { chat_id: job.chatId, message_id: message.message_id, text: shown(text) })
      .then((res) => {
        if (res === undefined) this.off = true;
        else if (typeof res === "object") this.#message = res;
      });
  }

  async finish(text: string) {
    await this.inFlight;
    this.off = true;
    const { job, effects } = this.d;
    const [first = "", ...rest] = splitText(text);
    const out: Message[] = [];
    if (!this.#firstTried) {
      // Nothing streamed in this attempt: the message is sent with its final text (or, after
      // a restart, found sent by the earlier attempt and edited below).
      this.#firstTried = true;
      this.#message = (await effects.reply("first:", job.chatId, first, replyExtra(job)))[0];
      this.#firstFinal = this.#message?.text === first;
    }
    if (!this.#message) {
      // The streamed message never certainly arrived: the final text goes as a plain reply.
      return effects.reply("", job.chatId, text, replyExtra(job));
    }
    if (!this.#firstFinal) {
      await effects.call("final:", "editMessageText", { chat_id: job.chatId, message_id: this.#message.message_id, text: first });
    }
    out.push(this.#message);
    for (const piece of rest) out.push(...(await effects.reply("more:", job.chatId, piece, threadOf(job))));
    return out;
  }
}

export function sinkFor(d: SinkDeps): AnswerSink {
  return d.job.chatType === "private" ? new DraftSink(d) : new EditSink(d);
}
