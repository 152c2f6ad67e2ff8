// The Bot API methods the fake answers, with Telegram's own error answers for the
// cases that bite (unknown chat, bot kicked or blocked, empty or too long text,
// unparsable Markdown, message to edit not found / not modified, stale callback query).

export class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

/** A result that also carries Telegram's `description` (setWebhook, deleteWebhook). */
export const DESCRIBED = Symbol("described");
const described = (result, description) => ({ [DESCRIBED]: true, result, description });

const bad = (description) => new ApiError(400, `Bad Request: ${description}`);
const now = () => Math.floor(Date.now() / 1000);
/** One command menu: the bot, the scope's type and the language ("" for none). */
const menuKey = (bot, p) => `${bot.id}|${p?.scope?.type ?? "default"}|${p?.language_code ?? ""}`;
// Parameters Telegram takes as JSON-serialized strings in form/query bodies.
const JSON_PARAMS = new Set([
  "reply_markup",
  "allowed_updates",
  "entities",
  "caption_entities",
  "commands",
  "scope",
  "reply_parameters",
  "link_preview_options",
]);

/** Form and query values arrive as strings: decode the JSON-serialized ones. */
export function normalizeParams(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string" && JSON_PARAMS.has(k)) {
      try {
        out[k] = JSON.parse(v);
      } catch {
        throw bad(`can't parse ${k} JSON object`);
      }
    } else out[k] = v;
  }
  return out;
}

const truthy = (v) => v === true || v === "true" || v === "1" || v === 1;

export function createMethods(fake) {
  const { world } = fake;

  function chatFor(_bot, chatId, { write = true } = {}) {
    if (chatId === undefined || chatId === "") throw bad("chat_id is empty");
    const chat = world.chat(chatId);
    if (!chat) throw bad("chat not found");
    const reason = world.forbidden(chat);
    if (reason && (write || chat.type !== "private")) throw new ApiError(403, reason);
    return chat;
  }

  function checkText(text, parseMode, what = "message text") {
    if (text === undefined || String(text).trim() === "") throw bad(`${what} is empty`);
    const s = String(text);
    if (s.length > 4096) throw bad("message is too long");
    if (parseMode && /markdown/i.test(String(parseMode))) {
      // Crude but useful: an odd number of unescaped markers cannot be parsed.
      for (const mark of ["*", "_", "`"]) {
        const n = s.split("").filter((ch, i) => ch === mark && s[i - 1] !== "\\").length;
        if (n % 2 === 1) throw bad(`can't parse entities: Can't find end of the entity starting at byte offset ${s.indexOf(mark)}`);
      }
    }
    if (parseMode && /html/i.test(String(parseMode))) {
      const open = (s.match(/<(b|i|u|s|a|code|pre)(\s[^>]*)?>/g) ?? []).length;
      const close = (s.match(/<\/(b|i|u|s|a|code|pre)>/g) ?? []).length;
      if (open !== close) throw bad("can't parse entities: Can't find end tag corresponding to start tag");
    }
    return s;
  }

  function send(bot, p, content) {
    const chat = chatFor(bot, p.chat_id);
    if (chat.type === "channel" && chat.bot_status !== "administrator") throw bad("need administrator rights in the channel chat");
    const message = {
      message_id: world.nextMessageId++,
      date: now(),
      chat: world.chatObject(chat),
      ...(chat.type === "channel" ? { sender_chat: world.chatObject(chat) } : { from: world.botUser(bot) }),
      ...content,
      ...(p.reply_markup?.inline_keyboard ? { reply_markup: p.reply_markup } : {}),
    };
    fake.store(bot, chat.id, message);
    return message;
  }

  function fileRef(value, files, field) {
    const file = files?.[field];
    if (file)
      return {
        file_id: `fake-${field}-${world.nextMessageId}`,
        file_unique_id: `u${world.nextMessageId}`,
        file_size: file.size,
        name: file.filename,
      };
    if (value === undefined || value === "") throw bad(`there is no ${field} in the request`);
    return { file_id: String(value), file_unique_id: `u${world.nextMessageId}` };
  }

  return {
    getMe: (bot) => ({ ...world.botUser(bot), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    sendMessage: (bot, p) => send(bot, p, { text: checkText(p.text, p.parse_mode) }),
    sendPhoto: (bot, p, files) => {
      const f = fileRef(p.photo, files, "photo");
      const caption = p.caption === undefined ? {} : { caption: checkText(p.caption, p.parse_mode, "caption") };
      return send(bot, p, {
        photo: [{ file_id: f.file_id, file_unique_id: f.file_unique_id, width: 640, height: 480, file_size: f.file_size }],
        ...caption,
      });
    },
    sendDocument: (bot, p, files) => {
      const f = fileRef(p.document, files, "document");
      const caption = p.caption === undefined ? {} : { caption: checkText(p.caption, p.parse_mode, "caption") };
      return send(bot, p, {
        document: { file_id: f.file_id, file_unique_id: f.file_unique_id, file_name: f.name, file_size: f.file_size },
        ...caption,
      });
    },
    editMessageText: (bot, p) => {
      if (p.inline_message_id) return true;
      const chat = chatFor(bot, p.chat_id);
      const text = checkText(p.text, p.parse_mode);
      const old = fake.message(bot, chat.id, Number(p.message_id));
      if (!old) throw bad("message to edit not found");
      if (old.from?.id !== bot.id && !old.sender_chat) throw bad("message can't be edited");
      const markup = p.reply_markup?.inline_keyboard ? p.reply_markup : undefined;
      if (old.text === text && JSON.stringify(old.reply_markup) === JSON.stringify(markup)) {
        throw bad(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      const edited = { ...old, text, edit_date: now() };
      if (markup) edited.reply_markup = markup;
      else delete edited.reply_markup;
      fake.store(bot, chat.id, edited);
      return edited;
    },
    answerCallbackQuery: (bot, p) => {
      const q = fake.callbackQueries.get(String(p.callback_query_id));
      if (!q || q.botId !== bot.id || q.answered) throw bad("query is too old and response timeout expired or query ID is invalid");
      q.answered = { text: p.text, show_alert: truthy(p.show_alert) };
      return true;
    },
    sendChatAction: (bot, p) => {
      chatFor(bot, p.chat_id);
      if (!p.action) throw bad("action is empty");
      return true;
    },
    // Bot API 9.3: a draft the user sees growing in a private chat; the final message follows
    // with sendMessage. Kept per chat as the latest draft text (nothing is stored as a message).
    sendMessageDraft: (bot, p) => {
      const chat = chatFor(bot, p.chat_id);
      if (chat.type !== "private") throw bad("method is available only for private chats");
      if (!Number.isInteger(Number(p.draft_id)) || Number(p.draft_id) === 0) throw bad("draft_id must be non-zero");
      checkText(p.text, p.parse_mode);
      return true;
    },
    // Menus are kept per scope and language, as Telegram keeps them.
    setMyCommands: (bot, p) => {
      if (!Array.isArray(p.commands)) throw bad('parameter "commands" is required');
      if (p.commands.length > 100) throw bad("BOT_COMMANDS_TOO_MUCH");
      for (const c of p.commands) {
        if (!/^[a-z0-9_]{1,32}$/.test(String(c.command))) throw bad("BOT_COMMAND_INVALID");
        if (!c.description || String(c.description).length > 256) throw bad("BOT_COMMAND_DESCRIPTION_INVALID");
      }
      fake.commands.set(menuKey(bot, p), p.commands);
      return true;
    },
    getMyCommands: (bot, p) => fake.commands.get(menuKey(bot, p)) ?? [],
    deleteMyCommands: (bot, p) => {
      fake.commands.delete(menuKey(bot, p));
      return true;
    },
    getChat: (bot, p) => {
      const chat = chatFor(bot, p.chat_id, { write: false });
      const base = world.chatObject(chat);
      if (chat.type === "private") return { ...base, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
      return {
        ...base,
        accent_color_id: 0,
        max_reaction_count: 11,
        ...(chat.type !== "channel" && { permissions: { can_send_messages: true, can_invite_users: true } }),
        description: `${chat.title} (a chat of the fake Bot API)`,
        accepted_gift_types: {},
      };
    },
    getChatMemberCount: (bot, p) => world.memberCount(chatFor(bot, p.chat_id, { write: false })),
    getChatAdministrators: (bot, p) => {
      const chat = chatFor(bot, p.chat_id, { write: false });
      if (chat.type === "private") throw bad("there are no administrators in the private chat");
      return world.administrators(chat, bot);
    },
    getChatMember: (bot, p) => {
      const chat = chatFor(bot, p.chat_id, { write: false });
      if (p.user_id === undefined) throw bad("user_id is empty");
      if (!world.users.has(Number(p.user_id)) && Number(p.user_id) !== bot.id) throw bad("user not found");
      return world.chatMember(chat, bot, p.user_id);
    },
    setWebhook: (bot, p) => {
      const inbox = fake.inbox(bot);
      const url = p.url === undefined ? "" : String(p.url);
      if (url === "") {
        inbox.deleteWebhook(truthy(p.drop_pending_updates));
        return described(true, "Webhook was deleted");
      }
      // Telegram needs https on ports 443/80/88/8443; the fake takes any http(s) URL, so a local Worker can be the target.
      if (!/^https?:\/\/[^/]+/.test(url)) throw bad("bad webhook: Invalid URL specified");
      if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) {
        throw bad("bad webhook: Secret token contains unallowed characters");
      }
      const maxConnections = p.max_connections === undefined ? 40 : Number(p.max_connections);
      if (!(maxConnections >= 1 && maxConnections <= 100)) throw bad("bad webhook: max_connections must be between 1 and 100");
      const was = inbox.webhook?.url;
      inbox.setWebhook(
        {
          url,
          secret_token: p.secret_token ? String(p.secret_token) : undefined,
          allowed_updates: p.allowed_updates,
          max_connections: maxConnections,
        },
        truthy(p.drop_pending_updates),
      );
      return described(true, was === url ? "Webhook is already set" : "Webhook was set");
    },
    deleteWebhook: (bot, p) => {
      const inbox = fake.inbox(bot);
      const had = Boolean(inbox.webhook);
      inbox.deleteWebhook(truthy(p.drop_pending_updates));
      return described(true, had ? "Webhook was deleted" : "Webhook is already deleted");
    },
    getWebhookInfo: (bot) => fake.inbox(bot).info(),
    getUpdates: async (bot, p) => {
      const inbox = fake.inbox(bot);
      if (inbox.webhook)
        throw new ApiError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      return inbox.getUpdates(p);
    },
    logOut: () => true,
    close: () => true,
  };
}
