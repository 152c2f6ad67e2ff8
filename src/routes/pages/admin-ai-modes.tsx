// The AI modes panel of /admin/ai/ (one per bot): the named system prompts chats choose
// with /mode, listed with a delete button, and a form to add one. Staff may change them.
import type { modeJson } from "../../services/ai-modes";
import { Csrf } from "../../views/components";

type Mode = ReturnType<typeof modeJson>;

export function ModesPanel({ botId, modes, csrf }: { botId: number; modes: Mode[]; csrf?: string }) {
  return (
    <div class="ai-modes">
      <h3>Modes (chats pick one with /mode)</h3>
      {modes.length === 0 ? (
        <p class="muted">No modes yet: every chat uses the system prompt above. Add one below.</p>
      ) : (
        <ul>
          {modes.map((m) => (
            <li>
              <strong>{m.name}</strong> <span class="muted">{m.prompt.length > 160 ? `${m.prompt.slice(0, 160)}…` : m.prompt}</span>
              <form method="post" action={`/admin/ai/${botId}/modes/${m.id}/delete`} class="inline">
                <Csrf token={csrf} />
                <button type="submit" class="btn small danger" aria-label={`Delete mode ${m.name}`}>
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`/admin/ai/${botId}/modes`} class="grid-form">
        <Csrf token={csrf} />
        <label>
          Name (a-z, 0-9, _ and -)
          <input name="name" required maxlength={32} pattern="[a-zA-Z0-9_\-]{1,32}" placeholder="e.g. tutor" />
        </label>
        <label class="wide">
          System prompt
          <textarea name="prompt" rows={2} required maxlength={4000} placeholder="You are a patient tutor…" />
        </label>
        <button type="submit" class="btn">
          Add mode
        </button>
      </form>
    </div>
  );
}
