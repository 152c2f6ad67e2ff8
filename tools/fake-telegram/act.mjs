#!/usr/bin/env node
// Acts as a Telegram user against a running fake Bot API (tools/fake-telegram/server.mjs):
//
//   node tools/fake-telegram/act.mjs --bot demo_platform_bot --chat 111111111 --text "/start"
//   node tools/fake-telegram/act.mjs --bot 7000000001 --chat 111111111 --press settings:lang
//   node tools/fake-telegram/act.mjs --conversation --bot 7000000001 --chat 111111111
//
// --fake defaults to $FAKE_TELEGRAM_URL or http://127.0.0.1:8081; --user defaults to the
// private chat's user (or the group's first member). Prints the update and how its delivery went.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    fake: { type: "string", default: process.env.FAKE_TELEGRAM_URL ?? "http://127.0.0.1:8081" },
    bot: { type: "string" },
    chat: { type: "string" },
    user: { type: "string" },
    text: { type: "string" },
    press: { type: "string" },
    "message-id": { type: "string" },
    conversation: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const usage = `usage: act.mjs [--fake URL] [--bot ID|USERNAME|TOKEN] --chat CHAT_ID [--user USER_ID]
               (--text TEXT | --press CALLBACK_DATA [--message-id N] | --conversation)`;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.chat || [values.text !== undefined, values.press !== undefined, values.conversation].filter(Boolean).length !== 1) {
  console.error(usage);
  process.exit(2);
}

const base = values.fake.replace(/\/+$/, "");
const who = { bot: values.bot, chat_id: values.chat, ...(values.user && { user_id: values.user }) };
let res;
try {
  if (values.conversation) {
    res = await fetch(`${base}/_conversation?${new URLSearchParams({ bot: values.bot ?? "", chat_id: values.chat })}`);
  } else {
    const [path, body] =
      values.text !== undefined
        ? ["/_act/message", { ...who, text: values.text }]
        : ["/_act/press", { ...who, data: values.press, ...(values["message-id"] && { message_id: Number(values["message-id"]) }) }];
    res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }
} catch (err) {
  console.error(`cannot reach the fake Bot API at ${base}: ${err?.cause?.code ?? err}`);
  process.exit(1);
}
const json = await res.json();
if (!res.ok || json.ok === false) {
  console.error(`fake Bot API: ${json.description ?? res.status}`);
  process.exit(1);
}
if (values.conversation) {
  for (const m of json.results) {
    const who = m.from ? (m.from.is_bot ? `@${m.from.username}` : m.from.first_name) : (m.chat.title ?? "channel");
    const buttons = (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => `[${b.text} → ${b.callback_data ?? b.url}]`);
    console.log(`#${m.message_id} ${who}: ${m.text ?? m.caption ?? ""}${buttons.length ? `\n    ${buttons.join(" ")}` : ""}`);
  }
} else {
  console.log(JSON.stringify(json.update, null, 2));
  console.log(
    json.delivered
      ? `delivered (HTTP ${json.status})`
      : json.queued
        ? "queued: the bot has no webhook (getUpdates)"
        : `not delivered: ${json.error ?? `HTTP ${json.status}`} (retrying)`,
  );
}
