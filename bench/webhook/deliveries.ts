// A realistic mix of webhook deliveries built from the real fixture payloads: mostly
// plain messages in private chats and groups, some commands (which send a reply to the
// fake Bot API), callbacks, edits, media, channel posts, membership changes, an unknown
// kind, and a few redeliveries of earlier updates (which must be no-ops).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

type Update = { update_id: number } & Record<string, unknown>;

const dir = resolve(import.meta.dirname, "../../tests/fixtures/telegram-updates");
const fixtures: Record<string, Update> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8")) as Update]),
);

// Weights per kind of delivery (they sum to 100).
const MIX: [string, number][] = [
  ["private-text", 35],
  ["group-text", 20],
  ["command", 10],
  ["photo", 5],
  ["document", 3],
  ["edited", 5],
  ["callback", 5],
  ["channel-post", 5],
  ["forum", 4],
  ["my-chat-member", 3],
  ["unknown", 2],
  ["redelivery", 3],
];

const pick = (i: number): string => {
  let x = (i * 37) % 100;
  for (const [kind, w] of MIX) {
    if (x < w) return kind;
    x -= w;
  }
  return "private-text";
};

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function withMessage(name: string, key: string, updateId: number, messageId: number, userId: number, chatId?: number): Update {
  const u = clone(fixtures[name] as Update);
  const m = u[key] as Record<string, unknown>;
  m.message_id = messageId;
  m.date = Math.floor(Date.now() / 1000);
  if (m.from) (m.from as Record<string, unknown>).id = userId;
  const chat = m.chat as Record<string, unknown>;
  chat.id = chatId ?? (chat.type === "private" ? userId : chat.id);
  return { ...u, update_id: updateId };
}

export interface Delivery {
  kind: string;
  body: string;
}

export function buildDeliveries(n: number, firstUpdateId = 1_000_000): Delivery[] {
  const out: Delivery[] = [];
  const sent: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = pick(i);
    const updateId = firstUpdateId + i;
    const messageId = 10_000 + i;
    const userId = 500_000 + (i % 200);
    let u: Update;
    switch (kind) {
      case "group-text":
        u = withMessage("tx-update-message-private-text-link_preview", "message", updateId, messageId, userId, -100_900_000 - (i % 20));
        (u.message as Record<string, unknown>).chat = { id: -100_900_000 - (i % 20), type: "supergroup", title: `Group ${i % 20}` };
        break;
      case "command": {
        u = withMessage("ng-update-message-command", "message", updateId, messageId, userId);
        const cmd = ["/start", "/help", "/info", "/news"][i % 4] as string;
        Object.assign(u.message as object, { text: cmd, entities: [{ type: "bot_command", offset: 0, length: cmd.length }] });
        break;
      }
      case "photo":
        u = withMessage("txw-message-private-photo-caption_entities", "message", updateId, messageId, userId);
        break;
      case "document":
        u = withMessage("ng-update-message-document", "message", updateId, messageId, userId);
        break;
      case "edited":
        u = withMessage("ng-update-edited_message-reply", "edited_message", updateId, 10_000 + Math.max(0, i - 20), userId);
        break;
      case "callback": {
        u = clone(fixtures["ng-update-callback_query"] as Update);
        const q = u.callback_query as Record<string, unknown>;
        q.id = `cb${i}`;
        (q.from as Record<string, unknown>).id = userId;
        ((q.message as Record<string, unknown>).chat as Record<string, unknown>).id = userId;
        u.update_id = updateId;
        break;
      }
      case "channel-post":
        u = withMessage("txw-channel_post-giveaway", "channel_post", updateId, messageId, userId);
        break;
      case "forum":
        u = withMessage("ng-update-message-forum-topic", "message", updateId, messageId, userId);
        break;
      case "my-chat-member": {
        u = clone(fixtures["tx-update-my_chat_member-private-kicked"] as Update);
        const mcm = u.my_chat_member as Record<string, unknown>;
        (mcm.chat as Record<string, unknown>).id = userId;
        (mcm.from as Record<string, unknown>).id = userId;
        u.update_id = updateId;
        break;
      }
      case "unknown":
        u = { ...clone(fixtures["tx-update-unknown-kind"] as Update), update_id: updateId };
        break;
      case "redelivery":
        if (sent.length > 0) {
          out.push({ kind, body: sent[(i * 7) % sent.length] as string });
          continue;
        }
        u = withMessage("tx-update-message-private-text-link_preview", "message", updateId, messageId, userId);
        break;
      default:
        u = withMessage("tx-update-message-private-text-link_preview", "message", updateId, messageId, userId);
        (u.message as Record<string, unknown>).text = `hello ${i}`;
    }
    const body = JSON.stringify(u);
    sent.push(body);
    out.push({ kind, body });
  }
  return out;
}
