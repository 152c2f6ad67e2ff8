#!/usr/bin/env node
// A fake Telegram Bot API on 127.0.0.1, for the local demo, e2e and browser tests.
//
//   node tools/fake-telegram/server.mjs [--port 8081] [--host 127.0.0.1]
//   import { startFakeTelegram } from "./tools/fake-telegram/server.mjs";
//
// Bot API: POST/GET /bot<token>/<method> (JSON, form-urlencoded or multipart bodies).
// Acting as a user and inspecting: GET / (a small page), POST /_act/message, /_act/press,
// /_act/update, /_act/redeliver, GET /_calls, DELETE /_calls, GET /_state, POST /_bots,
// POST /_fail, GET /_conversation. See tools/fake-telegram/README.md.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BotInbox } from "./delivery.mjs";
import { ApiError, createMethods, DESCRIBED, normalizeParams } from "./methods.mjs";
import { renderPage } from "./page.mjs";
import { World } from "./world.mjs";

export { AUTO_TOKEN, SEEDED_BOTS, SEEDED_CHATS, SEEDED_USERS } from "./world.mjs";

export class FakeTelegram {
  constructor(opts = {}) {
    this.world = new World(opts);
    this.opts = opts;
    /** Every Bot API call, in order. */
    this.calls = [];
    this.inboxes = new Map();
    this.conversations = new Map();
    this.callbackQueries = new Map();
    this.commands = new Map();
    /** method → scripted error answers, used before the method runs. */
    this.failures = new Map();
    this.methods = createMethods(this);
    this.methodIndex = new Map(Object.keys(this.methods).map((m) => [m.toLowerCase(), m]));
    this.seq = 0;
  }

  inbox(bot) {
    let inbox = this.inboxes.get(bot.id);
    if (!inbox) {
      inbox = new BotInbox(bot, {
        retryDelayMs: this.opts.retryDelayMs,
        maxRetryDelayMs: this.opts.maxRetryDelayMs,
        onWebhookReply: (b, body) => {
          const { method, ...params } = body;
          this.call(b.token, method, params, undefined, "webhook_reply").catch(() => {});
        },
      });
      this.inboxes.set(bot.id, inbox);
    }
    return inbox;
  }

  store(bot, chatId, message) {
    const key = `${bot.id}:${chatId}`;
    const conv = this.conversations.get(key) ?? new Map();
    this.conversations.set(key, conv);
    conv.set(message.message_id, message);
  }

  message(bot, chatId, messageId) {
    return this.conversations.get(`${bot.id}:${chatId}`)?.get(messageId);
  }

  conversation(botRef, chatId) {
    const bot = this.#bot(botRef);
    return [...(this.conversations.get(`${bot.id}:${Number(chatId)}`)?.values() ?? [])].sort((a, b) => a.message_id - b.message_id);
  }

  /** Runs one Bot API call and records it; answers Telegram's JSON envelope. */
  async call(token, method, rawParams = {}, files, via = "http") {
    const record = { seq: ++this.seq, at: Date.now(), token, bot_id: undefined, method, params: rawParams, via };
    if (files && Object.keys(files).length > 0) record.files = files;
    this.calls.push(record);
    const answer = await this.#answer(token, method, rawParams, files, record);
    record.ok = answer.ok;
    if (answer.ok) record.result = answer.result;
    else Object.assign(record, { error_code: answer.error_code, description: answer.description });
    return answer;
  }

  async #answer(token, method, rawParams, files, record) {
    const found = this.world.botForToken(token);
    if (found.error) return envelope(new ApiError(...found.error));
    const bot = found.bot;
    record.bot_id = bot.id;
    const name = this.methodIndex.get(String(method).toLowerCase());
    if (!name) return envelope(new ApiError(404, "Not Found"));
    record.method = name;
    const scripted = this.failures.get(name)?.shift();
    if (scripted) return { ok: false, ...scripted };
    try {
      const params = normalizeParams(rawParams);
      record.params = params;
      const result = await this.methods[name](bot, params, files);
      if (result?.[DESCRIBED]) return { ok: true, result: result.result, description: result.description };
      return { ok: true, result };
    } catch (err) {
      if (err instanceof ApiError) return envelope(err);
      return { ok: false, error_code: 500, description: `Internal Server Error: ${err?.message ?? err}` };
    }
  }

  /** The next call(s) of `method` fail with this Telegram error (e.g. 429 with retry_after). */
  failNext(method, error, times = 1) {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) {
      list.push({
        error_code: error.error_code ?? 400,
        description: error.description ?? "Bad Request",
        ...(error.parameters && { parameters: error.parameters }),
      });
    }
    this.failures.set(method, list);
  }

  callsOf(method) {
    return this.calls.filter((c) => c.method === method);
  }

  clearCalls() {
    this.calls.length = 0;
  }

  addBot(bot) {
    return this.world.addBot(bot);
  }

  #bot(ref) {
    if (ref === undefined || ref === null || ref === "") {
      const all = [...this.world.bots.values()];
      const hooked = all.filter((b) => this.inboxes.get(b.id)?.webhook);
      if (hooked.length === 1) return hooked[0];
      throw new Error("say which bot (id, @username or token): more than one bot could be meant");
    }
    const bot = this.world.findBot(ref);
    if (!bot) throw new Error(`unknown bot ${ref}`);
    return bot;
  }

  #actors(opts) {
    const bot = this.#bot(opts.bot);
    const chat = this.world.chat(opts.chatId ?? opts.chat_id ?? this.world.users.keys().next().value);
    if (!chat) throw new Error(`unknown chat ${opts.chatId ?? opts.chat_id}`);
    const userId = opts.userId ?? opts.user_id;
    let user = userId !== undefined ? this.world.user(userId) : chat.type === "private" ? chat.user : undefined;
    if (!user) {
      const first = Object.keys(chat.members ?? {})[0];
      user = this.world.user(first ?? 111111111);
    }
    return { bot, chat, user };
  }

  /** Acts as a user: sends `text` to the bot in a chat (a channel post in a channel); answers the update and its first delivery. */
  async sendUserMessage(opts) {
    const { bot, chat, user } = this.#actors(opts);
    const text = String(opts.text ?? "");
    const message = {
      message_id: this.world.nextMessageId++,
      ...(chat.type === "channel" ? { sender_chat: this.world.chatObject(chat) } : { from: this.world.userObject(user) }),
      chat: this.world.chatObject(chat),
      date: Math.floor(Date.now() / 1000),
      text,
    };
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    if (command) message.entities = [{ offset: 0, length: command[0].length, type: "bot_command" }];
    const replyTo = opts.replyTo ?? opts.reply_to_message_id;
    if (replyTo !== undefined) {
      const original = this.message(bot, chat.id, Number(replyTo));
      if (original) message.reply_to_message = original;
    }
    this.store(bot, chat.id, message);
    return this.deliver(bot, { [chat.type === "channel" ? "channel_post" : "message"]: message });
  }

  /** Acts as a user: presses the inline button with this callback_data on the bot's latest message that has it. */
  async pressButton(opts) {
    const { bot, chat, user } = this.#actors(opts);
    const data = String(opts.data ?? opts.callback_data ?? "");
    const wanted = opts.messageId ?? opts.message_id;
    const candidates = this.conversation(bot.id, chat.id)
      .filter((m) => m.from?.id === bot.id && (wanted === undefined || m.message_id === Number(wanted)))
      .reverse();
    const message = candidates.find((m) => (m.reply_markup?.inline_keyboard ?? []).flat().some((b) => b.callback_data === data));
    if (!message) throw new Error(`no message from the bot in chat ${chat.id} has a button with callback_data "${data}"`);
    const id = `${Date.now()}${String(this.seq++).padStart(6, "0")}`;
    this.callbackQueries.set(id, { botId: bot.id, answered: false });
    const query = { id, from: this.world.userObject(user), message, chat_instance: String(Math.abs(chat.id) * 7 + 13), data };
    return this.deliver(bot, { callback_query: query });
  }

  /** Queues any update for a bot (update_id assigned when missing); answers { update, delivered, ... }. */
  async deliver(botRef, update) {
    const bot = typeof botRef === "object" ? botRef : this.#bot(botRef);
    const full = { update_id: update.update_id ?? this.world.nextUpdateId++, ...update };
    const outcome = await this.inbox(bot).enqueue(full);
    return { update: full, ...outcome };
  }

  /** POSTs an update again to the bot's webhook right now (as Telegram does after a lost answer). */
  async redeliver(botRef, update) {
    const attempt = await this.inbox(this.#bot(botRef)).deliverNow(update);
    return { update, delivered: attempt.ok, status: attempt.status, error: attempt.error };
  }

  /** Resolves once every queued update of every bot was delivered (or times out). */
  async idle(timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = [...this.inboxes.values()].some((i) => i.webhook && (i.pending.length > 0 || i.pumping));
      if (!busy) return;
      if (Date.now() > deadline) throw new Error("fake Telegram: updates still pending");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  snapshot() {
    return {
      bots: [...this.world.bots.values()].map((b) => ({
        ...b,
        webhook: this.inboxes.get(b.id)?.info() ?? { url: "", pending_update_count: 0 },
      })),
      users: [...this.world.users.values()],
      chats: [...this.world.chats.values()],
    };
  }

  close() {
    for (const i of this.inboxes.values()) i.close();
  }
}

function envelope(err) {
  return { ok: false, error_code: err.code, description: err.description, ...(err.parameters && { parameters: err.parameters }) };
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const buf = Buffer.concat(chunks);
  const type = String(req.headers["content-type"] ?? "");
  if (buf.length === 0) return { params: {} };
  if (type.includes("application/json")) return { params: JSON.parse(buf.toString("utf8")) };
  if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    const form = await new Request("http://fake.local/", { method: "POST", headers: { "content-type": type }, body: buf }).formData();
    const params = {};
    const files = {};
    for (const [k, v] of form.entries()) {
      if (typeof v === "string") params[k] = v;
      else files[k] = { filename: v.name, type: v.type, size: v.size };
    }
    return { params, files };
  }
  // Telegram also reads a JSON body sent without a content type.
  try {
    return { params: JSON.parse(buf.toString("utf8")) };
  } catch {
    return { params: {} };
  }
}

function send(res, status, body, type = "application/json") {
  const text = type === "application/json" ? JSON.stringify(body) : body;
  res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" });
  res.end(text);
}

/** The HTTP face of a FakeTelegram. */
export function handler(fake) {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      const api = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
      if (api) {
        const { params, files } = req.method === "POST" ? await readBody(req) : { params: {} };
        const merged = { ...Object.fromEntries(url.searchParams), ...params };
        const answer = await fake.call(decodeURIComponent(api[1]), api[2], merged, files);
        return send(res, answer.ok ? 200 : answer.error_code, answer);
      }
      const { params: body } = req.method === "POST" ? await readBody(req) : { params: {} };
      const q = Object.fromEntries(url.searchParams);
      switch (`${req.method} ${url.pathname.replace(/\/$/, "") || "/"}`) {
        case "GET /":
          return send(res, 200, renderPage(fake), "text/html");
        case "GET /_calls": {
          const since = Number(q.since ?? 0);
          const results = fake.calls.filter(
            (c) => c.seq > since && (!q.method || c.method === q.method) && (!q.bot_id || String(c.bot_id) === q.bot_id),
          );
          return send(res, 200, { count: results.length, results });
        }
        case "DELETE /_calls":
          fake.clearCalls();
          return send(res, 200, { ok: true });
        case "GET /_state":
          return send(res, 200, fake.snapshot());
        case "GET /_conversation":
          return send(res, 200, { results: fake.conversation(q.bot, q.chat_id) });
        case "POST /_act/message":
          return send(res, 200, { ok: true, ...(await fake.sendUserMessage(body)) });
        case "POST /_act/press":
          return send(res, 200, { ok: true, ...(await fake.pressButton(body)) });
        case "POST /_act/update":
          return send(res, 200, { ok: true, ...(await fake.deliver(body.bot, body.update ?? {})) });
        case "POST /_act/redeliver":
          return send(res, 200, { ok: true, ...(await fake.redeliver(body.bot, body.update)) });
        case "POST /_bots":
          return send(res, 200, { ok: true, bot: fake.addBot(body) });
        case "POST /_fail":
          fake.failNext(body.method, body, Number(body.times ?? 1));
          return send(res, 200, { ok: true });
        default:
          return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      }
    } catch (err) {
      return send(res, 400, { ok: false, error_code: 400, description: String(err?.message ?? err) });
    }
  };
}

/** Starts a fake Bot API on 127.0.0.1 (port 0 = a free one). */
export async function startFakeTelegram(opts = {}) {
  const fake = new FakeTelegram(opts);
  const server = createServer(handler(fake));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    fake,
    state: fake.world,
    calls: fake.calls,
    callsOf: (method) => fake.callsOf(method),
    sendUserMessage: (o) => fake.sendUserMessage(o),
    pressButton: (o) => fake.pressButton(o),
    deliver: (bot, update) => fake.deliver(bot, update),
    redeliver: (bot, update) => fake.redeliver(bot, update),
    idle: (ms) => fake.idle(ms),
    addBot: (b) => fake.addBot(b),
    failNext: (m, e, n) => fake.failNext(m, e, n),
    close: () =>
      new Promise((resolve) => {
        fake.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.FAKE_TELEGRAM_PORT ?? "8081" },
      host: { type: "string", default: "127.0.0.1" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("usage: node tools/fake-telegram/server.mjs [--port 8081] [--host 127.0.0.1]\nSee tools/fake-telegram/README.md.");
    process.exit(0);
  }
  const handle = await startFakeTelegram({ port: Number(values.port), host: values.host });
  console.log(`fake Telegram Bot API on ${handle.url} (page: ${handle.url}/, calls: ${handle.url}/_calls)`);
  for (const b of handle.state.bots.values()) console.log(`  bot ${b.id} @${b.username} token ${b.token}`);
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => handle.close().then(() => process.exit(0)));
}
