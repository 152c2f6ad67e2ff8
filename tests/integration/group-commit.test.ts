// Group commit: a seeded mix of updates (messages in several chats, edits, joins reported
// twice, leaves, the bot's role, a block, channel posts, callbacks, unknown kinds, reactions
// (per user and anonymous totals), joins through invite links and join requests, boosts,
// and a group upgraded to a supergroup midway) stored one update per commit for one bot and in
// batches (cut after the migration, as the drain does) for another must leave the same rows
// in every table, bot-wide rollups included; committing the same batches again changes nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { type Prepared, prepare, storeBatch } from "../../src/telegram/ingest";
import { carriesMigration } from "../../src/telegram/ingest/group-commit";
import type { RawUpdate } from "../../src/telegram/ingest/normalize";
import { rng } from "../reliability/support/rng";

const ONE_BY_ONE = 9101;
const BATCHED = 9102;
const db = createDb(env.DB);

function updates(seed: number): RawUpdate[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: RawUpdate[] = [];
  let uid = 1;
  let mid = 1;
  let group = -4001;
  const chats = () => [group, -1009001, 5001, 5002];
  const user = (id: number) => ({
    id,
    is_bot: false,
    first_name: `U${id}`,
    username: `u${id}`,
    language_code: pick(["en", "ru", undefined]),
  });
  const chatOf = (id: number) =>
    id > 0
      ? { id, type: "private", first_name: `U${id}` }
      : id === group
        ? { id, type: "group", title: "Group" }
        : { id, type: "supergroup", title: "Super" };
  const base = 1_767_000_000;
  const sent: { chat: number; id: number; from: number; date: number }[] = [];
  const posts: number[] = [];
  const EMOJI = ["👍", "❤", "🔥", "🎉"];
  const someReactions = () =>
    EMOJI.filter(() => r() < 0.4).map((emoji) =>
      r() < 0.1 ? { type: "custom_emoji", custom_emoji_id: `ce${emoji.length}` } : { type: "emoji", emoji },
    );
  const link = () => {
    const n = Math.floor(r() * 3);
    return {
      invite_link: `https://t.me/+link${n}`,
      name: n === 0 ? undefined : `Campaign ${n}`,
      creator: user(7000 + n),
      creates_join_request: n === 2,
      is_primary: false,
      is_revoked: false,
    };
  };
  // The kinds beyond messages, one now and then (their own roll, so the rest of the mix stays as it was).
  const extra = (date: number) => {
    const roll = r();
    if (roll < 0.35 && sent.length > 0) {
      const m = pick(sent);
      out.push({
        update_id: uid++,
        message_reaction: {
          chat: chatOf(m.chat === -4001 ? group : m.chat),
          message_id: m.id,
          user: user(pick([5001, 5002, 5003])),
          date,
          old_reaction: someReactions(),
          new_reaction: someReactions(),
        },
      });
    } else if (roll < 0.6 && posts.length > 0) {
      out.push({
        update_id: uid++,
        message_reaction_count: {
          chat: { id: -1007777, type: "channel", title: "News" },
          message_id: pick(posts),
          date,
          reactions: EMOJI.filter(() => r() < 0.5).map((emoji) => ({
            type: { type: "emoji", emoji },
            total_count: 1 + Math.floor(r() * 9),
          })),
        },
      });
    } else if (roll < 0.8) {
      const who = 6100 + Math.floor(r() * 30);
      const viaRequest = r() < 0.3;
      out.push({
        update_id: uid++,
        chat_member: {
          chat: chatOf(pick([group, -1009001])),
          from: user(who),
          date,
          old_chat_member: { status: "left", user: user(who) },
          new_chat_member: { status: "member", user: user(who) },
          ...(r() < 0.8 && { invite_link: link() }),
          ...(viaRequest && { via_join_request: true }),
        },
      });
    } else if (roll < 0.92) {
      const who = 6200 + Math.floor(r() * 30);
      out.push({
        update_id: uid++,
        chat_join_request: {
          chat: chatOf(pick([group, -1009001])),
          from: user(who),
          user_chat_id: who,
          date,
          ...(r() < 0.7 && { invite_link: link() }),
        },
      });
    } else {
      out.push({
        update_id: uid++,
        chat_boost: {
          chat: { id: -1007777, type: "channel", title: "News" },
          boost: { boost_id: `b${uid}`, add_date: date, expiration_date: date + 86_400, source: { source: "premium", user: user(5001) } },
        },
      });
    }
  };
  for (let i = 0; i < 240; i++) {
    const date = base + Math.floor(r() * 3 * 86_400);
    const chatId = pick(chats());
    const from = chatId > 0 ? chatId : pick([5001, 5002, 5003, 5004]);
    const roll = r();
    if (i === 120) {
      // The group becomes a supergroup: the old group's service message, then the new one's.
      const to = -1009999;
      out.push({ update_id: uid++, message: { message_id: mid++, date, chat: chatOf(group), from: user(5001), migrate_to_chat_id: to } });
      out.push({
        update_id: uid++,
        message: {
          message_id: 1,
          date,
          chat: { id: to, type: "supergroup", title: "Group" },
          from: user(5001),
          migrate_from_chat_id: group,
        },
      });
      group = to;
      continue;
    }
    if (roll < 0.55) {
      const m = { message_id: mid++, date, chat: chatOf(chatId), from: user(from), text: `t${i}` };
      sent.push({ chat: chatId, id: m.message_id, from, date });
      out.push({ update_id: uid++, message: m });
    } else if (roll < 0.63 && sent.length > 0) {
      const m = pick(sent);
      out.push({
        update_id: uid++,
        edited_message: { message_id: m.id, date: m.date, edit_date: date, chat: chatOf(m.chat), from: user(m.from), text: `edited ${i}` },
      });
    } else if (roll < 0.75) {
      // A join reported twice, as Telegram does: a chat_member update and a service message, within a minute.
      const who = 6000 + Math.floor(r() * 20);
      const c = chatOf(pick([group, -1009001]));
      out.push({
        update_id: uid++,
        chat_member: {
          chat: c,
          from: user(who),
          date,
          old_chat_member: { status: "left", user: user(who) },
          new_chat_member: { status: "member", user: user(who) },
        },
      });
      if (r() < 0.7)
        out.push({
          update_id: uid++,
          message: { message_id: mid++, date: date + 5, chat: c, from: user(who), new_chat_members: [user(who)] },
        });
    } else if (roll < 0.82) {
      const who = 6000 + Math.floor(r() * 20);
      out.push({
        update_id: uid++,
        message: { message_id: mid++, date, chat: chatOf(pick([group, -1009001])), from: user(who), left_chat_member: user(who) },
      });
    } else if (roll < 0.87) {
      const c = chatOf(pick([5001, 5002, group]));
      const status = pick(["member", "administrator", "kicked", "left"]);
      out.push({
        update_id: uid++,
        my_chat_member: {
          chat: c,
          from: user(5001),
          date,
          old_chat_member: { status: "member", user: user(1) },
          new_chat_member: { status, user: user(1) },
        },
      });
    } else if (roll < 0.92) {
      posts.push(mid);
      out.push({
        update_id: uid++,
        channel_post: { message_id: mid++, date, chat: { id: -1007777, type: "channel", title: "News" }, text: `post ${i}` },
      });
    } else if (roll < 0.96) {
      out.push({
        update_id: uid++,
        callback_query: {
          id: `cb${i}`,
          from: user(from),
          chat_instance: "1",
          data: "x:y",
          message: { message_id: 1, date, chat: chatOf(chatId), text: "k" },
        },
      });
    } else {
      out.push({ update_id: uid++, some_future_kind: { id: i } });
    }
    if (r() < 0.45) extra(date + 30);
  }
  return out;
}

const BOT = { username: "gc_bot", aiEnabled: false };

function batches(items: Prepared[], size: number): Prepared[][] {
  const out: Prepared[][] = [];
  let cur: Prepared[] = [];
  for (const p of items) {
    cur.push(p);
    if (cur.length >= size || carriesMigration(p.n)) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

const TABLES: Record<string, string> = {
  chats: "chat_id, type, title, username, first_name, last_name, is_forum, bot_role, migrated_to_chat_id",
  tg_users: "user_id, first_name, last_name, username, language_code, is_bot, blocked_bot, preferences",
  messages:
    "chat_id, message_id, update_id, from_user_id, sender_chat_id, date, edit_date, kind, service_type, text, media_type, direction, raw",
  chat_user_daily: "chat_id, day, user_id, messages",
  chat_daily_activity: "chat_id, day, messages, active_users, joins, leaves",
  chat_hourly_activity: "chat_id, weekday, hour, messages",
  member_events: "chat_id, user_id, event, date, update_id",
  bot_daily_activity: "day, messages, active_users, joins, leaves",
  bot_hourly_activity: "weekday, hour, messages",
  bot_user_days: "user_id, day, messages, cum_messages, cum_days",
  bot_user_activity: "user_id, last_day",
  message_reactions: "chat_id, message_id, actor_id, actor_is_chat, reaction, date, update_id",
  message_reaction_counts: "chat_id, message_id, reaction, count, date",
  chat_reaction_daily: "chat_id, day, reactions",
  invite_joins: "chat_id, user_id, kind, invite_link, link_name, creator_user_id, via_join_request, date, update_id",
};

async function snapshot(botId: number): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, cols] of Object.entries(TABLES)) {
    const rows = await env.DB.prepare(`SELECT ${cols} FROM ${table} WHERE bot_id = ? ORDER BY ${cols}`).bind(botId).all();
    out[table] = rows.results;
  }
  return out;
}

beforeAll(async () => {
  for (const id of [ONE_BY_ONE, BATCHED]) {
    await env.DB.prepare("INSERT INTO bots (id, name, username, token_ciphertext, token_fingerprint) VALUES (?, ?, 'gc_bot', 'none', ?)")
      .bind(id, `gc${id}`, `fp${id}`)
      .run();
  }
});

describe("group commit", () => {
  for (const seed of [1, 2]) {
    it(`stores a batch exactly as one update at a time (seed ${seed}), and a repeated commit writes nothing`, async () => {
      const list = updates(seed);
      // Fresh update ids per seed (the ledger keys on them).
      const items = list.map((u) => prepare({ ...u, update_id: u.update_id + seed * 100_000 }, BOT));
      await env.DB.batch(
        Object.keys(TABLES).map((t) => env.DB.prepare(`DELETE FROM ${t} WHERE bot_id IN (?, ?)`).bind(ONE_BY_ONE, BATCHED)),
      );

      for (const p of items) await storeBatch(db, ONE_BY_ONE, [p]);
      const groups = batches(items, 37);
      for (const g of groups) await storeBatch(db, BATCHED, g);
      expect(groups.length).toBeLessThan(items.length / 5);

      const single = await snapshot(ONE_BY_ONE);
      const batched = await snapshot(BATCHED);
      expect(single.messages?.length).toBeGreaterThan(100);
      expect(single.member_events?.length).toBeGreaterThan(5);
      expect(single.chats?.some((c) => (c as { migrated_to_chat_id: number | null }).migrated_to_chat_id !== null)).toBe(true);
      expect(single.message_reactions?.length).toBeGreaterThan(5);
      expect(single.message_reaction_counts?.length).toBeGreaterThan(3);
      expect(single.chat_reaction_daily?.length).toBeGreaterThan(2);
      expect(single.invite_joins?.filter((j) => (j as { kind: string }).kind === "join").length).toBeGreaterThan(3);
      expect(single.invite_joins?.filter((j) => (j as { kind: string }).kind === "request").length).toBeGreaterThan(3);
      // A boost is kept raw under the channel it names.
      expect(
        single.messages?.some(
          (m) =>
            (m as { service_type: string; chat_id: number }).service_type === "unknown:chat_boost" &&
            (m as { chat_id: number }).chat_id === -1007777,
        ),
      ).toBe(true);
      // Reactions in the group before its upgrade moved with it.
      expect(single.message_reactions?.some((x) => (x as { chat_id: number }).chat_id === -4001)).toBe(false);
      for (const table of Object.keys(TABLES)) expect(batched[table], table).toEqual(single[table]);

      // The coordinator died after a commit and before noting it: the same batches again.
      for (const g of batches(items, 50)) await storeBatch(db, BATCHED, g);
      expect(await snapshot(BATCHED)).toEqual(batched);
    }, 60_000);
  }

  it("keeps its statement count whatever the batch size", async () => {
    const { buildGroupCommit } = await import("../../src/telegram/ingest/group-commit");
    const plain = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        prepare(
          {
            update_id: 900_000 + i,
            message: {
              message_id: i + 1,
              date: 1_767_000_000,
              chat: { id: 7000 + (i % 5), type: "private", first_name: "x" },
              from: { id: 7000 + (i % 5), is_bot: false, first_name: "x" },
              text: `m${i}`,
            },
          },
          BOT,
        ),
      );
    const count = (n: number) => buildGroupCommit(db, BATCHED, plain(n), { token: "t", sessions: [], senders: [] }).stmts.length;
    expect(count(100)).toBe(count(1));
    expect(count(1)).toBeLessThanOrEqual(12);

    // Every kind in one batch: reactions, anonymous totals, invite joins and join requests add
    // their statements once, whatever the batch holds.
    const u = { id: 7100, is_bot: false, first_name: "x" };
    const chat = { id: -1007100, type: "supergroup", title: "S" };
    const kinds = (i: number) => [
      { message: { message_id: i + 1, date: 1_767_000_000, chat, from: u, text: `m${i}` } },
      {
        message_reaction: {
          chat,
          message_id: 1,
          user: u,
          date: 1_767_000_000,
          old_reaction: [],
          new_reaction: [{ type: "emoji", emoji: "👍" }],
        },
      },
      {
        message_reaction_count: {
          chat,
          message_id: i + 1,
          date: 1_767_000_000,
          reactions: [{ type: { type: "emoji", emoji: "🔥" }, total_count: 2 }],
        },
      },
      {
        chat_member: {
          chat,
          from: u,
          date: 1_767_000_000,
          old_chat_member: { status: "left", user: u },
          new_chat_member: { status: "member", user: u },
          invite_link: { invite_link: "https://t.me/+x", creator: u, creates_join_request: false, is_primary: false, is_revoked: false },
        },
      },
      { chat_join_request: { chat, from: u, user_chat_id: u.id, date: 1_767_000_000 } },
      { chat_boost: { chat, boost: { boost_id: "b", add_date: 1, expiration_date: 2, source: { source: "premium", user: u } } } },
    ];
    const mixed = (n: number) =>
      Array.from({ length: n }, (_, i) => prepare({ update_id: 910_000 + i, ...kinds(i)[i % 6] } as RawUpdate, BOT));
    const countMixed = (n: number) => buildGroupCommit(db, BATCHED, mixed(n), { token: "t", sessions: [], senders: [] }).stmts.length;
    expect(countMixed(100)).toBe(countMixed(6));
    expect(countMixed(6)).toBeGreaterThan(count(1));
  });
});
