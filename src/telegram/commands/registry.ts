// The command registry. Adding a built-in command = one new file exporting a
// CommandDefinition (see types.ts for the context it gets) + one line in COMMANDS.
// Custom commands live in the bot_commands table: a fixed reply_text, or a handler_name
// that must be one of HANDLERS below. Callback buttons and multi-step dialogs register
// by prefix and by name.
import { cancel } from "./cancel";
import { contact } from "./contact";
import { feedback, feedbackDialog } from "./feedback";
import { games } from "./games";
import { echo } from "./handlers/echo";
import { whoami } from "./handlers/whoami";
import { helpCommand } from "./help";
import { info } from "./info";
import { keyboardCallback } from "./keyboard";
import { mode, modeCallback } from "./mode";
import { model, modelCallback } from "./model";
import { news } from "./news";
import { reset } from "./reset";
import { retry } from "./retry";
import { settings, settingsCallback } from "./settings";
import { start } from "./start";
import type { CallbackHandler, CommandDefinition, DialogHandler, NamedHandler } from "./types";
import { usage } from "./usage";

// Functions rather than constants: a lazy list never reads a command before its module
// has been evaluated. /help gets the list from here (it does not import this module).
const help = helpCommand(builtinCommands);
const COMMANDS = (): CommandDefinition[] => [
  start,
  help,
  info,
  contact,
  news,
  games,
  settings,
  feedback,
  reset,
  cancel,
  retry,
  mode,
  model,
  usage,
];
const HANDLERS = (): NamedHandler[] => [echo, whoami];
const CALLBACKS = (): CallbackHandler[] => [settingsCallback, keyboardCallback, modeCallback, modelCallback];
const DIALOGS = (): DialogHandler[] => [feedbackDialog];

export function builtinCommands(): CommandDefinition[] {
  return COMMANDS();
}

export function findCommand(name: string): CommandDefinition | undefined {
  return COMMANDS().find((c) => c.name === name);
}

/** Handlers that bot_commands.handler_name may name. */
export function findNamedHandler(name: string): NamedHandler | undefined {
  return HANDLERS().find((h) => h.name === name);
}

export function namedHandlerNames(): string[] {
  return HANDLERS().map((h) => h.name);
}

export function findCallbackHandler(data: string): CallbackHandler | undefined {
  const prefix = data.split(":", 1)[0] ?? "";
  return CALLBACKS().find((h) => h.prefix === prefix);
}

export function findDialog(name: string): DialogHandler | undefined {
  return DIALOGS().find((d) => d.name === name);
}
