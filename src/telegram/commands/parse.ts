// Recognises "/cmd", "/cmd@botname" and "/cmd args" at the start of a message.
import type { Message } from "@grammyjs/types";

export interface ParsedCommand {
  name: string;
  args: string;
  /** The @botname the command was addressed to, if any. */
  target?: string;
}

const COMMAND_RE = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/;

export function parseCommand(message: Pick<Message, "text">): ParsedCommand | undefined {
  const text = message.text;
  if (!text?.startsWith("/")) return undefined;
  const m = COMMAND_RE.exec(text.trim());
  if (!m?.[1]) return undefined;
  return { name: m[1].toLowerCase(), args: (m[3] ?? "").trim(), target: m[2] };
}

/** A command addressed to another bot (/cmd@otherbot) is not ours to answer. */
export function isForOtherBot(cmd: ParsedCommand, botUsername: string | null | undefined): boolean {
  if (!cmd.target) return false;
  return !botUsername || cmd.target.toLowerCase() !== botUsername.replace(/^@/, "").toLowerCase();
}
