// The fake Bot API's world: bots (known by token), users, and chats of every type,
// with members, administrators and the bot's own standing in each chat.
//
// Tokens: the seeded ones below, plus ANY token shaped `<digits>:FAKE<16+ of A-Za-z0-9_->`,
// registered on first use as bot id <digits>, username `fake<digits>_bot`.
// Every bot sees the same seeded chats, in the same role (see SEEDED_CHATS).

export const AUTO_TOKEN = /^(\d{3,20}):FAKE[A-Za-z0-9_-]{16,96}$/;
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{1,200}$/;

export const SEEDED_BOTS = [
  { token: "7000000001:FAKEdemoBotToken_0000000000000001", id: 7000000001, username: "demo_platform_bot", first_name: "Demo Bot" },
  { token: "7000000002:FAKEdemoBotToken_0000000000000002", id: 7000000002, username: "second_demo_bot", first_name: "Second Bot" },
];

export const SEEDED_USERS = [
  { id: 111111111, is_bot: false, first_name: "Alice", last_name: "Anders", username: "alice", language_code: "en" },
  { id: 222222222, is_bot: false, first_name: "Bob", username: "bob", language_code: "de" },
  { id: 333333333, is_bot: false, first_name: "Carol", language_code: "ru" },
  // Dave blocked every bot: sending to him answers 403.
  { id: 444444444, is_bot: false, first_name: "Dave", username: "dave_blocks_bots", blocked: true },
];

/**
 * bot_status: the bot's standing there ("administrator", "member", "kicked").
 * extra_members: members beyond the listed users (channels have many silent subscribers).
 */
export const SEEDED_CHATS = [
  {
    id: -4000000001,
    type: "group",
    title: "Demo Group",
    members: { 111111111: "creator", 222222222: "member", 333333333: "member" },
    extra_members: 0,
    bot_status: "member",
  },
  {
    id: -1001000000001,
    type: "supergroup",
    title: "Demo Supergroup",
    username: "demo_supergroup",
    members: { 111111111: "creator", 222222222: "administrator", 333333333: "member", 444444444: "member" },
    extra_members: 38,
    bot_status: "administrator",
  },
  {
    id: -1001000000002,
    type: "channel",
    title: "Demo Channel",
    username: "demo_channel",
    members: { 111111111: "creator" },
    extra_members: 1233,
    bot_status: "administrator",
  },
  {
    id: -1001000000003,
    type: "supergroup",
    title: "Removed Supergroup",
    members: { 111111111: "creator", 222222222: "member" },
    extra_members: 5,
    bot_status: "kicked",
  },
];

export class World {
  constructor({ bots = SEEDED_BOTS, users = SEEDED_USERS, chats = SEEDED_CHATS, firstId } = {}) {
    /** token → { id, username, first_name, token } */
    this.bots = new Map();
    this.users = new Map(users.map((u) => [u.id, { ...u }]));
    this.chats = new Map(chats.map((c) => [c.id, structuredClone(c)]));
    // Update and message ids grow with the clock, so a restarted fake never reuses ids a
    // Worker (with persistent storage) has already seen: Telegram's ids only ever grow.
    const base = firstId ?? Math.max(1, Math.floor((Date.now() / 1000 - 1_700_000_000) * 10));
    this.nextUpdateId = base;
    this.nextMessageId = base;
    for (const b of bots) this.addBot(b);
  }

  addBot({ token, id, username, first_name }) {
    const botId = id ?? Number(token.split(":")[0]);
    const bot = { token, id: botId, username: username ?? `fake${botId}_bot`, first_name: first_name ?? `Fake Bot ${botId}` };
    this.bots.set(token, bot);
    return bot;
  }

  /** The bot behind a token: known, auto-registered (FAKE pattern), or an error answer. */
  botForToken(token) {
    const known = this.bots.get(token);
    if (known) return { bot: known };
    if (AUTO_TOKEN.test(token)) return { bot: this.addBot({ token }) };
    // Telegram answers 404 for a malformed token and 401 for a well-formed unknown one.
    return TOKEN_SHAPE.test(token) ? { error: [401, "Unauthorized"] } : { error: [404, "Not Found"] };
  }

  /** A bot by numeric id, username (with or without @) or token. */
  findBot(ref) {
    const s = String(ref).replace(/^@/, "");
    for (const b of this.bots.values()) {
      if (b.token === s || String(b.id) === s || b.username.toLowerCase() === s.toLowerCase()) return b;
    }
    if (AUTO_TOKEN.test(s)) return this.addBot({ token: s });
    return undefined;
  }

  user(id) {
    const n = Number(id);
    let u = this.users.get(n);
    if (!u && Number.isSafeInteger(n) && n > 0) {
      u = { id: n, is_bot: false, first_name: `User ${n}` };
      this.users.set(n, u);
    }
    return u;
  }

  /** A chat by id or @username; positive ids are private chats with that user. */
  chat(ref) {
    const s = String(ref);
    if (s.startsWith("@")) {
      for (const c of this.chats.values()) if (c.username && `@${c.username}`.toLowerCase() === s.toLowerCase()) return c;
      return undefined;
    }
    const id = Number(s);
    if (!Number.isSafeInteger(id)) return undefined;
    if (id > 0) {
      const u = this.user(id);
      return { id, type: "private", first_name: u.first_name, last_name: u.last_name, username: u.username, user: u };
    }
    return this.chats.get(id);
  }

  /** The Chat object as Telegram shows it inside messages. */
  chatObject(chat) {
    if (chat.type === "private")
      return strip({ id: chat.id, type: "private", first_name: chat.first_name, last_name: chat.last_name, username: chat.username });
    return strip({ id: chat.id, type: chat.type, title: chat.title, username: chat.username });
  }

  userObject(user) {
    const { blocked: _b, ...u } = user;
    return u;
  }

  botUser(bot) {
    return { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  }

  /** Why this bot cannot act in this chat (403 like Telegram), or undefined. */
  forbidden(chat) {
    if (chat.type === "private") return chat.user.blocked ? "Forbidden: bot was blocked by the user" : undefined;
    if (chat.bot_status === "kicked")
      return `Forbidden: bot was kicked from the ${chat.type === "channel" ? "channel" : `${chat.type} chat`}`;
    if (chat.bot_status === "left") return `Forbidden: bot is not a member of the ${chat.type} chat`;
    return undefined;
  }

  memberCount(chat) {
    if (chat.type === "private") return 2;
    const botCounts = chat.bot_status === "administrator" || chat.bot_status === "member" ? 1 : 0;
    return Object.keys(chat.members).length + (chat.extra_members ?? 0) + botCounts;
  }

  chatMember(chat, bot, userId) {
    const id = Number(userId);
    if (id === bot.id) return memberObject(this.botUser(bot), chat.bot_status ?? "member");
    const user = this.users.get(id);
    const status = chat.type === "private" ? (id === chat.id ? "member" : undefined) : chat.members[id];
    if (!user || !status) return memberObject(user ? this.userObject(user) : { id, is_bot: false, first_name: `User ${id}` }, "left");
    return memberObject(this.userObject(user), status);
  }

  administrators(chat, bot) {
    const admins = [];
    for (const [id, status] of Object.entries(chat.members)) {
      if (status === "creator" || status === "administrator") admins.push(this.chatMember(chat, bot, id));
    }
    if (chat.bot_status === "administrator") admins.push(this.chatMember(chat, bot, bot.id));
    return admins;
  }
}

function memberObject(user, status) {
  if (status === "creator") return { status, user, is_anonymous: false };
  if (status === "administrator") {
    return {
      status,
      user,
      can_be_edited: false,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: true,
      can_manage_video_chats: true,
      can_restrict_members: true,
      can_promote_members: false,
      can_change_info: true,
      can_invite_users: true,
      can_post_stories: false,
      can_edit_stories: false,
      can_delete_stories: false,
    };
  }
  if (status === "kicked") return { status, user, until_date: 0 };
  return { status, user };
}

function strip(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
