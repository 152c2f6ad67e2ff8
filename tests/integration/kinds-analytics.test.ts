// Every update kind, and the analytics from them: a webhook set here asks for the reactions,
// join requests and boosts; reactions (a user's, and a channel's anonymous totals) are shown
// per post, per day and as top reacted posts; joins are attributed to their invite link and
// to join requests, shown as joins by link and top inviters; kinds we do not handle stay
// stored raw under the chat they name. Payloads are the real fixtures where one exists.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import inviteJoin from "../fixtures/telegram-updates/doc-update-chat_member-invite_link.json";
import chatBoost from "../fixtures/telegram-updates/ng-update-chat_boost.json";
import joinRequest from "../fixtures/telegram-updates/ng-update-chat_join_request.json";
import reaction from "../fixtures/telegram-updates/ng-update-message_reaction.json";
import reactionCount from "../fixtures/telegram-updates/ng-update-message_reaction_count.json";
import unknownKind from "../fixtures/telegram-updates/tx-update-unknown-kind.json";
import { ADMIN_TOKEN, apiJson } from "../helpers/api";
import { FakeTelegram } from "../helpers/fake-telegram";
import { page } from "./dashboard-login";
import { deliver, setupBot, type TestBot } from "./webhook-support";

const fake = new FakeTelegram();
const NOW = Math.floor(Date.now() / 1000) - 600;
const CHANNEL = reactionCount.message_reaction_count.chat;
const GROUP = inviteJoin.chat_member.chat;
const olga = inviteJoin.chat_member.invite_link.creator;
let bot: TestBot;
let quiet: TestBot;
let uid = 500_000;

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const user = (id: number, first_name: string) => ({ id, is_bot: false, first_name });

async function send(update: object, b: TestBot = bot) {
  const res = await deliver(b.id, b.secret, { ...update, update_id: uid++ });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
}

function counts(messageId: number, reactions: [string, number][]) {
  const u = clone(reactionCount);
  return {
    message_reaction_count: {
      ...u.message_reaction_count,
      message_id: messageId,
      date: NOW,
      reactions: reactions.map(([emoji, total_count]) => ({ type: { type: "emoji", emoji }, total_count })),
    },
  };
}

function userReaction(from: { id: number; first_name: string }, messageId: number, old: unknown[], now: unknown[]) {
  const u = clone(reaction);
  return {
    message_reaction: {
      ...u.message_reaction,
      chat: GROUP,
      message_id: messageId,
      user: { ...from, is_bot: false },
      date: NOW,
      old_reaction: old,
      new_reaction: now,
    },
  };
}

function join(who: { id: number; first_name: string }, link?: Record<string, unknown>, viaRequest = false) {
  const u = clone(inviteJoin);
  const member = { ...who, is_bot: false };
  const { invite_link: _drop, ...rest } = u.chat_member;
  return {
    chat_member: {
      ...rest,
      from: member,
      date: NOW,
      old_chat_member: { status: "left", user: member },
      new_chat_member: { status: "member", user: member },
      ...(link && { invite_link: link }),
      ...(viaRequest && { via_join_request: true }),
    },
  };
}

const LINK1 = inviteJoin.chat_member.invite_link;
const LINK2 = {
  invite_link: "https://t.me/+ReQ...",
  creator: olga,
  creates_join_request: true,
  is_primary: false,
  is_revoked: false,
  name: "Approval",
};

beforeAll(async () => {
  fake.listen();
  bot = await setupBot(fake, 9_501, "kinds_bot");
  quiet = await setupBot(fake, 9_502, "kinds_quiet_bot");

  // A channel with two posts: anonymous totals, reported again as they change.
  await send({ channel_post: { message_id: 4, date: NOW, chat: CHANNEL, sender_chat: CHANNEL, text: "Launch day" } });
  await send({ channel_post: { message_id: 5, date: NOW, chat: CHANNEL, sender_chat: CHANNEL, text: "Small update" } });
  await send(reactionCount); // the fixture as it is: message 4, ❤️ 2, an old date
  await send(
    counts(4, [
      ["❤️", 3],
      ["👍", 1],
    ]),
  );
  await send(counts(5, [["🔥", 1]]));
  await send(counts(5, []));

  // A group: users' own reactions, each update replacing that user's set on the message.
  await send({ message: { message_id: 10, date: NOW, chat: GROUP, from: user(31_010, "Ann"), text: "Who is coming?" } });
  await send(userReaction(user(31_010, "Ann"), 10, [], [{ type: "emoji", emoji: "👍" }]));
  await send(
    userReaction(
      user(31_011, "Bob"),
      10,
      [],
      [
        { type: "emoji", emoji: "❤️" },
        { type: "custom_emoji", custom_emoji_id: "5368324170671202286" },
      ],
    ),
  );
  await send(userReaction(user(31_010, "Ann"), 10, [{ type: "emoji", emoji: "👍" }], [{ type: "emoji", emoji: "🔥" }]));

  // Joins: two through a named link, one through a link that needs approval, one without a link.
  await send({ chat_member: { ...clone(inviteJoin).chat_member, date: NOW } }); // the fixture, dated within the default 30 days
  await send(join(user(31_020, "Carl"), LINK1));
  await send(join(user(31_021, "Dora"), LINK2, true));
  await send(join(user(31_022, "Emil")));
  // Join requests: one through the approval link, one (the fixture's) naming no link.
  await send({
    chat_join_request: {
      chat: GROUP,
      from: { ...user(31_023, "Fay"), is_bot: false },
      user_chat_id: 31_023,
      date: NOW,
      invite_link: LINK2,
    },
  });
  const req = clone(joinRequest);
  await send({ chat_join_request: { ...req.chat_join_request, chat: GROUP, date: NOW } });

  // Kinds we do not handle: kept raw, under the chat they name (or none).
  const boost = clone(chatBoost);
  await send({ chat_boost: { ...boost.chat_boost, chat: CHANNEL } });
  await send({ removed_chat_boost: { chat: CHANNEL, boost_id: "qwerty", remove_date: NOW, source: boost.chat_boost.boost.source } });
  await send(unknownKind);
});
afterAll(() => fake.close());

describe("allowed_updates", () => {
  it("asks Telegram for the reactions, join requests and boosts by default", async () => {
    const asked = fake.callsOf("setWebhook")[0]?.params.allowed_updates as string[];
    for (const k of [
      "message",
      "chat_member",
      "message_reaction",
      "message_reaction_count",
      "chat_join_request",
      "chat_boost",
      "removed_chat_boost",
    ])
      expect(asked).toContain(k);
  });
});

describe("reactions", () => {
  it("keep a user's current set and a channel post's latest totals", async () => {
    const mine = await env.DB.prepare("SELECT actor_id, reaction FROM message_reactions WHERE bot_id = ? ORDER BY actor_id, reaction")
      .bind(bot.id)
      .all();
    expect(mine.results).toEqual([
      { actor_id: 31_010, reaction: "🔥" },
      { actor_id: 31_011, reaction: "custom:5368324170671202286" },
      { actor_id: 31_011, reaction: "❤️" },
    ]);
    const totals = await env.DB.prepare(
      "SELECT message_id, reaction, count FROM message_reaction_counts WHERE bot_id = ? ORDER BY message_id, reaction",
    )
      .bind(bot.id)
      .all();
    expect(totals.results).toEqual([
      { message_id: 4, reaction: "❤️", count: 3 },
      { message_id: 4, reaction: "👍", count: 1 },
    ]);
  });

  it("are shown per post, most reacted first, with each reaction's count", async () => {
    const top = await apiJson<{
      count: number;
      results: { chat_id: number; message_id: number; text: string; total: number; reactions: Record<string, number> }[];
    }>(`/api/analytics/${bot.id}/top-reacted-posts`);
    expect(top.status).toBe(200);
    expect(top.body.results.map((p) => [p.chat_id, p.message_id, p.total])).toEqual([
      [CHANNEL.id, 4, 4],
      [GROUP.id, 10, 3],
    ]);
    expect(top.body.results[0]).toMatchObject({ text: "Launch day", reactions: { "❤️": 3, "👍": 1 } });
    expect(top.body.results[1]?.reactions).toEqual({ "🔥": 1, "❤️": 1, "custom:5368324170671202286": 1 });

    const channel = await apiJson<{ results: { message_id: number }[] }>(`/api/analytics/${bot.id}/reacted-posts?chat_id=${CHANNEL.id}`);
    expect(channel.body.results.map((p) => p.message_id)).toEqual([4]); // post 5 lost its only reaction
  });

  it("are counted per day as the net of what was added and removed", async () => {
    const today = new Date(NOW * 1000).toISOString().slice(0, 10);
    const days = await apiJson<{ total: number; results: { day: string; count: number }[] }>(
      `/api/analytics/${bot.id}/reactions?chat_id=${CHANNEL.id}&from=${today}&to=${today}`,
    );
    // Post 4: 2 (the fixture, dated 2023) then 4 today = +2 today; post 5: +1 then -1.
    expect(days.body.results).toEqual([{ day: today, count: 2 }]);
    const all = await apiJson<{ total: number }>(`/api/analytics/${bot.id}/reactions?from=${today}&to=${today}`);
    // The group: Ann +1, Bob +2, Ann's change 0.
    expect(all.body.total).toBe(5);
    const fixtureDay = await apiJson<{ total: number }>(`/api/analytics/${bot.id}/reactions?from=2023-12-30&to=2023-12-31`);
    expect(fixtureDay.body.total).toBe(2);
  });
});

describe("invite links", () => {
  it("attribute joins to their link and count join requests", async () => {
    const r = await apiJson<{
      joins_total: number;
      joins_without_link: number;
      results: {
        invite_link: string | null;
        name: string | null;
        creator_username: string | null;
        joins: number;
        joins_via_request: number;
        requests: number;
      }[];
    }>(`/api/analytics/${bot.id}/joins-by-link?chat_id=${GROUP.id}`);
    expect(r.status).toBe(200);
    expect(r.body.joins_total).toBe(4);
    expect(r.body.joins_without_link).toBe(1);
    expect(r.body.results).toEqual([
      expect.objectContaining({
        invite_link: LINK1.invite_link,
        name: "Spring campaign",
        creator_username: "olga_admin",
        joins: 2,
        joins_via_request: 0,
        requests: 0,
      }),
      expect.objectContaining({ invite_link: LINK2.invite_link, name: "Approval", joins: 1, joins_via_request: 1, requests: 1 }),
      expect.objectContaining({ invite_link: null, joins: 0, requests: 1 }),
    ]);
  });

  it("rank inviters (the links' creators) by the joins they brought", async () => {
    const r = await apiJson<{ results: unknown[] }>(`/api/analytics/${bot.id}/top-inviters`);
    expect(r.body.results).toEqual([{ user_id: olga.id, name: "Olga", username: "olga_admin", joins: 3, links: 2, requests: 1 }]);
  });
});

describe("kinds we do not handle", () => {
  it("are stored raw, under the chat they name", async () => {
    const rows = await env.DB.prepare(
      "SELECT chat_id, service_type FROM messages WHERE bot_id = ? AND service_type LIKE 'unknown:%' ORDER BY id",
    )
      .bind(bot.id)
      .all();
    expect(rows.results).toEqual([
      { chat_id: CHANNEL.id, service_type: "unknown:chat_boost" },
      { chat_id: CHANNEL.id, service_type: "unknown:removed_chat_boost" },
      { chat_id: 0, service_type: "unknown:new_update_kind" },
    ]);
  });

  it("while a known kind missing what ingest needs is refused with the field named", async () => {
    const res = await deliver(bot.id, bot.secret, {
      update_id: uid++,
      message_reaction: { chat: GROUP, date: NOW, old_reaction: [], new_reaction: [] },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("message_reaction.message_id");
  });
});

describe("the API and the page", () => {
  it("let a viewer read, answer 404 for an unknown bot and 400 for a bad range", async () => {
    const created = await apiJson<{ token: string }>("/api/tokens", { body: { name: "kinds viewer", role: "viewer" } });
    expect(created.status).toBe(201);
    for (const p of ["reactions", "reacted-posts", "top-reacted-posts", "joins-by-link", "top-inviters"]) {
      expect((await apiJson(`/api/analytics/${bot.id}/${p}`, { token: created.body.token })).status, p).toBe(200);
      expect((await apiJson(`/api/analytics/999999/${p}`)).status, p).toBe(404);
      expect((await apiJson(`/api/analytics/${bot.id}/${p}?from=2026-02-30`)).status, p).toBe(400);
    }
  });

  it("shows reactions and invite links on the channel statistics page, and says when there are none", async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const html = await (await page(`/telegram/channel-stats/?bot_id=${bot.id}`, { headers: auth })).text();
    expect(html).toContain("Top reacted posts");
    expect(html).toContain("Launch day");
    expect(html).toContain("Spring campaign");
    expect(html).toContain("@olga_admin");
    expect(/data-testid="joins-total">([^<]*)</.exec(html)?.[1]).toBe("4");
    expect(html).not.toMatch(/<script>/);

    const one = await (await page(`/telegram/channel-stats/?bot_id=${bot.id}&chat_id=${CHANNEL.id}`, { headers: auth })).text();
    expect(one).toContain("Launch day");
    expect(one).not.toContain("Who is coming?");

    const empty = await (await page(`/telegram/channel-stats/?bot_id=${quiet.id}`, { headers: auth })).text();
    expect(empty).toContain("No reactions yet");
    expect(empty).toContain("No joins through invite links yet");
    expect(empty).toContain("No inviters yet");
  });
});
