// How a custom command's reply looks in Telegram: the text in a bubble with its buttons
// under it (links open, reply buttons show what they answer), and how a bot's command
// menus stand at Telegram. Rendered from what is stored; no script.
import type { CommandKeyboard } from "../db/schema";
import { safeHref } from "../lib/validate";
import { fmtTime } from "./components";

export function CommandPreview(p: {
  command: string;
  replyText: string | null;
  handlerName: string | null;
  keyboard: CommandKeyboard | null;
}) {
  return (
    <section class="panel tg-preview" aria-label="Preview">
      <h2>Preview</h2>
      <div class="tg-chat">
        <div class="tg-bubble tg-out">/{p.command}</div>
        <div class="tg-bubble tg-in">{p.handlerName ? <em>(answered by the handler "{p.handlerName}")</em> : (p.replyText ?? "")}</div>
        {p.keyboard?.length ? (
          <div class="tg-keyboard">
            {p.keyboard.map((row) => (
              <div class="tg-row">
                {row.map((b) =>
                  "url" in b ? (
                    <a class="tg-button" href={safeHref(b.url)} rel="noopener noreferrer" target="_blank" title={b.url}>
                      {b.text} ↗
                    </a>
                  ) : (
                    <span class="tg-button" title={`${b.edit ? "Replaces the text with" : "Replies"}: ${b.callback_reply}`}>
                      {b.text}
                    </span>
                  ),
                )}
              </div>
            ))}
          </div>
        ) : null}
      </div>
      {p.keyboard?.some((row) => row.some((b) => "callback_reply" in b)) ? (
        <ul class="tg-replies">
          {p.keyboard.flat().map((b) =>
            "callback_reply" in b ? (
              <li>
                <strong>{b.text}</strong> {b.edit ? "replaces the text with" : "replies"}: <span class="muted">{b.callback_reply}</span>
              </li>
            ) : null,
          )}
        </ul>
      ) : null}
    </section>
  );
}

export interface BotMenuState {
  id: number;
  name: string;
  syncedAt: number | null;
  lastAttemptAt: number | null;
  failed: number;
  lastError: string | null;
}

/** One line per bot: when its menus were last in step with Telegram, or what failed. */
export function MenuStateText({ s }: { s: BotMenuState }) {
  if (s.failed > 0)
    return (
      <span class="err">
        {s.failed} menu{s.failed === 1 ? "" : "s"} not set: {s.lastError}
      </span>
    );
  if (s.syncedAt !== null) return <span>in step with Telegram since {fmtTime(s.syncedAt)}</span>;
  return <span class="muted">never synced</span>;
}
