// The send-message form: bot, chat (searchable list of known chats), Markdown text with a
// live preview, a photo or document by URL or upload, and the result of the last send.
import { type BotOption, BotSelect, Csrf, Empty, Notice } from "../components";

export interface SendFormValues {
  chat_id?: string;
  text?: string;
  parse_mode?: string;
  photo?: string;
  document?: string;
  caption?: string;
}

export interface SendPageProps {
  bots: BotOption[];
  botId?: number;
  chats: { chatId: number; label: string }[];
  csrf?: string;
  values: SendFormValues;
  result?: { ok: true; messageIds: number[]; chatId: string } | { ok: false; message: string };
}

export function SendPage(p: SendPageProps) {
  if (p.bots.length === 0) {
    return (
      <Empty title="No bots yet">
        Messages are sent on behalf of a bot: <a href="/admin/bots/new">add one</a> first.
      </Empty>
    );
  }
  const v = p.values;
  return (
    <>
      {p.result?.ok ? (
        <Notice kind="ok">
          <span data-testid="send-result">
            Sent to {p.result.chatId}: message id {p.result.messageIds.join(", ")}.
          </span>
        </Notice>
      ) : null}
      {p.result && !p.result.ok ? (
        <Notice kind="error">
          <span data-testid="send-error">{p.result.message}</span>
        </Notice>
      ) : null}
      <form method="get" class="inline" data-autosubmit>
        <label for="bot_id">Bot</label>
        <BotSelect bots={p.bots} selected={p.botId} />
        <button type="submit" class="btn small">
          Choose
        </button>
      </form>
      <form method="post" action="/telegram/send-message/" enctype="multipart/form-data" class="stack panel" id="send-form">
        <Csrf token={p.csrf} />
        <input type="hidden" name="bot_id" value={String(p.botId ?? "")} />
        <label for="chat_id">Chat (search by name, or type a chat id or @channel)</label>
        <input id="chat_id" name="chat_id" list="known-chats" required value={v.chat_id ?? ""} autocomplete="off" />
        <datalist id="known-chats">
          {p.chats.map((ch) => (
            <option value={String(ch.chatId)}>{ch.label}</option>
          ))}
        </datalist>
        {p.chats.length === 0 ? <small class="muted">This bot knows no chats yet; you can still type a chat id.</small> : null}
        <label for="parse_mode">Formatting</label>
        <select id="parse_mode" name="parse_mode">
          {[
            ["", "Plain text"],
            ["Markdown", "Markdown"],
            ["MarkdownV2", "MarkdownV2"],
            ["HTML", "HTML"],
          ].map(([val, label]) => (
            <option value={val} selected={(v.parse_mode ?? "Markdown") === val}>
              {label}
            </option>
          ))}
        </select>
        <label for="text">Text</label>
        <textarea id="text" name="text" rows={6} maxlength={4096} data-preview="#preview">
          {v.text ?? ""}
        </textarea>
        <output class="preview" id="preview" aria-live="polite" for="text parse_mode" />
        <fieldset>
          <legend>Attachment (optional)</legend>
          <label for="photo">Photo URL</label>
          <input id="photo" name="photo" type="url" value={v.photo ?? ""} placeholder="https://…" />
          <label for="photo_file">or upload a photo</label>
          <input id="photo_file" name="photo_file" type="file" accept="image/*" />
          <label for="document">Document URL</label>
          <input id="document" name="document" type="url" value={v.document ?? ""} placeholder="https://…" />
          <label for="document_file">or upload a document</label>
          <input id="document_file" name="document_file" type="file" />
          <label for="caption">Caption (for a photo or document; the text is used when empty)</label>
          <input id="caption" name="caption" maxlength={1024} value={v.caption ?? ""} />
        </fieldset>
        <button type="submit" class="btn primary">
          Send
        </button>
      </form>
    </>
  );
}
