/// <reference types="vite/client" />
// Bad input: webhook bodies made by mutating the real fixtures (wrong types, missing
// fields, huge strings, deep nesting, odd Unicode, invalid UTF-8, wrong content types,
// malformed JSON), seeded so every run sends the same bodies. No body may get a 5xx; a
// body answered 4xx leaves nothing stored; the Worker keeps serving afterwards.
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../../helpers/fake-telegram";
import type { TestBot } from "../../integration/webhook-support";
import { settle, textUpdate } from "../../integration/webhook-support";
import { pick, pool, type Rng, rng } from "../support/rng";
import { captureConsole, countOf, leakedSecrets, print, realisticBot, secretsOf } from "./support";

const BODIES = Number((env as unknown as { RELIABILITY_BAD_INPUTS?: string }).RELIABILITY_BAD_INPUTS ?? 10_000);
const SEED = 3;

const fixtures = Object.values(
  import.meta.glob("../../fixtures/telegram-updates/*.json", { eager: true, import: "default" }) as Record<string, Record<string, unknown>>,
);

const fake = new FakeTelegram();
let bot: TestBot;
const out = captureConsole();
const answers: string[] = [];

beforeAll(async () => {
  fake.listen();
  bot = await realisticBot(fake, 7300000001, "bad_input_bot");
  // As Telegram: a reply to a chat id that is not a number cannot reach anyone.
  fake.on("sendMessage", (c) =>
    Number.isSafeInteger(Number(c.params.chat_id)) ? undefined : { error_code: 400, description: "Bad Request: chat not found" },
  );
});
afterAll(() => {
  out.restore();
  fake.close();
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(v: Json, at: Path = [], acc: Path[] = []): Path[] {
  // Not into a deep nest an earlier mutation made.
  if (v && typeof v === "object" && at.length < 12) {
    for (const [k, child] of Object.entries(v)) {
      const p = [...at, Array.isArray(v) ? Number(k) : k];
      acc.push(p);
      paths(child as Json, p, acc);
    }
  }
  return acc;
}

function setAt(root: Json, path: Path, value: Json | undefined) {
  let node = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
}

const ODD_VALUES: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 63,
  -(2 ** 53) - 7,
  "",
  "12",
  "not a number",
  [],
  [1, "two", null],
  {},
  { nested: { deeper: [] } },
  "\u0000\u0001\u001f",
  "\ud800 lone surrogate",
  "\u202eRTL override \u200b zero width",
  "😀".repeat(2000),
  "/start@bad_input_bot payload",
];

function nest(depth: number, leaf: Json, r: Rng): Json {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = r() < 0.5 ? [v] : { a: v };
  return v;
}

/** One structural mutation of a parsed update. */
function mutate(body: Json, r: Rng): string {
  const all = paths(body);
  const target = all.length ? pick(r, all) : ["update_id"];
  const roll = r();
  if (roll < 0.3) {
    setAt(body, target, pick(r, ODD_VALUES));
    return "wrong type";
  }
  if (roll < 0.55) {
    setAt(body, target, undefined);
    return "missing field";
  }
  if (roll < 0.65) {
    // Mostly under the 1 MB limit, sometimes over it.
    const size = r() < 0.2 ? 1024 * 1024 + Math.floor(r() * 4096) : Math.floor(r() * 200_000);
    setAt(body, target, "x".repeat(size));
    return "huge string";
  }
  if (roll < 0.8) {
    setAt(body, target, nest(1 + Math.floor(r() * (r() < 0.1 ? 20_000 : 200)), pick(r, ODD_VALUES), r));
    return "deep nesting";
  }
  if (roll < 0.9) {
    const key = pick(r, [
      "message",
      "edited_message",
      "callback_query",
      "channel_post",
      "my_chat_member",
      "chat_member",
      "poll",
      "nonsense",
    ]);
    (body as Record<string, Json>)[key] = pick(r, ODD_VALUES);
    return "wrong kind";
  }
  setAt(
    body,
    ["message"],
    structuredClone(
      pick(
        r,
        fixtures.map((f) => (f.message ?? f.channel_post ?? {}) as Json),
      ),
    ),
  );
  setAt(body, ["message", "text"], `/${pick(r, ["start", "help", "settings", "whoami", "nope"])}${"@".repeat(Math.floor(r() * 2))}`);
  return "command in an odd update";
}

interface Case {
  kind: string;
  bytes: Uint8Array;
  contentType: string | null;
  /** The update_id the body carries, when it is a safe non-negative integer. */
  updateId?: number;
}

const enc = new TextEncoder();

function makeCase(i: number, r: Rng): Case {
  const body = structuredClone(pick(r, fixtures)) as Json & Record<string, Json>;
  const updateId = 500_000_000 + i;
  body.update_id = updateId;
  const kinds: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) kinds.push(mutate(body, r));
  let text: string;
  let id = (body as Record<string, Json>).update_id;
  try {
    text = JSON.stringify(body);
  } catch {
    // Too deep for JSON.stringify here: send a stand-in that keeps the case's own id.
    text = `{"update_id":${updateId},"message":"too deep to write"}`;
    id = updateId;
  }
  let bytes = enc.encode(text);
  const roll = r();
  if (roll < 0.12) {
    // Malformed JSON: cut short, a stray character, or a brace dropped.
    const at = Math.floor(r() * bytes.length);
    const how = Math.floor(r() * 3);
    text =
      how === 0
        ? text.slice(0, at)
        : how === 1
          ? `${text.slice(0, at)}${pick(r, ["}", "]", ",", '"', "\\", "{"])}${text.slice(at)}`
          : text.replace("}", "");
    bytes = enc.encode(text);
    kinds.push("malformed JSON");
  } else if (roll < 0.2) {
    // Invalid UTF-8 bytes spliced in.
    const at = Math.floor(r() * bytes.length);
    const bad = pick(r, [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0x28], [0xed, 0xa0, 0x80]]);
    bytes = new Uint8Array([...bytes.slice(0, at), ...bad, ...bytes.slice(at)]);
    kinds.push("invalid UTF-8");
  } else if (roll < 0.22) {
    bytes = new Uint8Array(0);
    kinds.push("empty body");
  }
  const ct =
    r() < 0.15
      ? pick(r, [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"])
      : "application/json";
  if (ct !== "application/json") kinds.push("wrong content type");
  return {
    kind: kinds.join("+"),
    bytes,
    contentType: ct,
    ...(typeof id === "number" && Number.isSafeInteger(id) && id >= 0 && { updateId: id }),
  };
}

async function send(c: Case): Promise<Response> {
  const headers: Record<string, string> = { "x-telegram-bot-api-secret-token": bot.secret };
  if (c.contentType) headers["content-type"] = c.contentType;
  return exports.default.fetch(
    new Request(`https://platform.test/telegram/webhook/${bot.id}/`, { method: "POST", headers, body: c.bytes }),
  );
}

// The smallest bodies behind each cause of a 5xx the mutation run found (2026-11-24):
// each must be refused with a 4xx or accepted, never answered 5xx (Telegram would redeliver it
// for a day, holding back the bot's later updates).
const from = { id: 73_000_100, is_bot: false, first_name: "Min" };
const chat = { id: 73_000_100, type: "private", first_name: "Min" };
const MINIMAL: [string, Record<string, unknown>][] = [
  ["a message without a date (normalize.ts utcParts: Invalid time value)", { message: { message_id: 1, from, chat, text: "hi" } }],
  [
    "a chat id that is an object (d1.ts stmt: D1_TYPE_ERROR)",
    { message: { message_id: 2, from, chat: { ...chat, id: {} }, date: 1_700_000_000, text: "hi" } },
  ],
  [
    "a chat title that is an array (drizzle expands it: SQL syntax error)",
    {
      message: { message_id: 3, from, chat: { id: -100_730_001, type: "supergroup", title: ["a", "b"] }, date: 1_700_000_000, text: "hi" },
    },
  ],
  [
    "a message without a chat type (NOT NULL chats.type)",
    { message: { message_id: 4, from, chat: { id: 73_000_101 }, date: 1_700_000_000, text: "hi" } },
  ],
  [
    "a text that is a number (commands/parse.ts: text?.startsWith)",
    { message: { message_id: 5, from, chat, date: 1_700_000_000, text: 42 } },
  ],
  [
    "a callback query without from (ingest/dispatch.ts dispatchCallback)",
    { callback_query: { id: "cb1", chat_instance: "1", data: "settings" } },
  ],
  [
    "callback data that is a number (commands/registry.ts findCallbackHandler)",
    { callback_query: { id: "cb2", from, chat_instance: "1", data: 5 } },
  ],
  [
    "a chat_member update without a chat (normalize.ts)",
    {
      chat_member: {
        from,
        date: 1_700_000_000,
        old_chat_member: { status: "left", user: from },
        new_chat_member: { status: "member", user: from },
      },
    },
  ],
];

describe("minimal bodies behind the 5xx causes", () => {
  it.each(MINIMAL.map(([name, body], i) => ({ name, body: { update_id: 600_000_000 + i, ...body } })))(
    "$name: no 5xx",
    async ({ body }) => {
      const res = await send({ kind: "minimal", bytes: enc.encode(JSON.stringify(body)), contentType: "application/json" });
      expect(res.status).toBeLessThan(500);
    },
  );
});

describe(`bad input: ${BODIES} mutated webhook bodies (seed ${SEED})`, () => {
  const statuses = new Map<number, number>();
  const fiveXX: { kind: string; status: number; body: string; sample: string }[] = [];
  const rejectedIds: number[] = [];
  const acceptedIds = new Set<number>();
  const failedIds = new Set<number>();

  it("answers every body below 500, 4xx with a reason", async () => {
    const r = rng(SEED);
    const cases = Array.from({ length: BODIES }, (_, i) => makeCase(i, r));
    const started = Date.now();
    await pool(cases, 8, async (c) => {
      const res = await send(c);
      const text = await res.text();
      answers.push(text);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && c.updateId !== undefined) failedIds.add(c.updateId);
      if (res.status >= 500)
        fiveXX.push({
          kind: c.kind,
          status: res.status,
          body: text.slice(0, 200),
          sample: new TextDecoder().decode(c.bytes.slice(0, 300)),
        });
      else if (res.status >= 400) {
        expect((JSON.parse(text) as { error: { message: string } }).error.message.length, c.kind).toBeGreaterThan(5);
        if (c.updateId !== undefined) rejectedIds.push(c.updateId);
      } else if (c.updateId !== undefined) acceptedIds.add(c.updateId);
    });
    const seconds = (Date.now() - started) / 1000;
    print(`[bad-input] ${BODIES} bodies in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // On failure, show each cause the Worker logged for its 5xx answers (message and first frame in src/), with counts.
    const causes = new Map<string, number>();
    for (const l of out.lines) {
      if (!l.includes('"msg":"unhandled error"')) continue;
      const rec = JSON.parse(l) as { error?: { message?: string }; stack?: string };
      const frame = /\(([^)]*\/src\/[^)]*)\)/.exec(rec.stack ?? "")?.[1]?.replace(/^.*\/src\//, "src/") ?? "";
      const cause = `${rec.error?.message?.slice(0, 120)} at ${frame}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    expect({ count: fiveXX.length, causes: Object.fromEntries(causes), first: fiveXX.slice(0, 2) }).toEqual({
      count: 0,
      causes: {},
      first: [],
    });
  });

  it("stores nothing for a body it refused", async () => {
    const ids = new Set<number>();
    const rows = await env.DB.prepare("SELECT update_id FROM processed_updates WHERE bot_id = ?").bind(bot.id).all<{ update_id: number }>();
    for (const row of rows.results) ids.add(row.update_id);
    const msgs = await env.DB.prepare("SELECT DISTINCT update_id FROM messages WHERE bot_id = ? AND update_id IS NOT NULL")
      .bind(bot.id)
      .all<{ update_id: number }>();
    for (const row of msgs.results) ids.add(row.update_id);
    expect(rejectedIds.length).toBeGreaterThan(0);
    // (An id may be shared by several bodies, e.g. a mutation to update_id 0: only ids no body got stored by count.)
    expect(rejectedIds.filter((id) => ids.has(id) && !acceptedIds.has(id) && !failedIds.has(id))).toEqual([]);
    // Everything stored came from a body answered 2xx (or 5xx, which Telegram redelivers).
    // (The minimal cases above use ids from 600,000,000 and are not counted here.)
    expect([...ids].filter((id) => id < 600_000_000 && !acceptedIds.has(id) && !failedIds.has(id))).toEqual([]);
  });

  it("keeps serving: a valid delivery afterwards is stored and answered", async () => {
    const update = textUpdate("/start", { userId: 73_000_042, updateId: 900_000_001 });
    const res = await send({ kind: "valid", bytes: enc.encode(JSON.stringify(update)), contentType: "application/json" });
    expect(res.status).toBe(200);
    await settle(bot.id);
    expect(await countOf("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id)).toBe(1);
    expect(fake.callsOf("sendMessage").some((c) => Number(c.params.chat_id) === 73_000_042)).toBe(true);
    expect((await exports.default.fetch(new Request("https://platform.test/healthz"))).status).toBe(200);
  });

  it("never shows a secret in an answer or a log line", () => {
    expect(leakedSecrets([...answers, ...out.lines], secretsOf([bot]))).toEqual([]);
  });
});
