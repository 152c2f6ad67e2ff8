// Four weeks of life in the demo chats, generated deterministically (a seeded PRNG, so every
// run and every machine gets the same history): real-shaped Telegram updates with past
// `date` values, for the fake Telegram to deliver to the Worker's webhook. Messages follow a
// daily rhythm (mornings and evenings) and a weekly one (quiet weekends) and grow over the
// weeks; people join and leave. update_id and message_id are fixed per event, below the
// fake's own (clock-based) ids, so delivering the history twice stores it once.

export const HISTORY_DAYS = 28;
/** History update ids are 1..N (the fake's live ids start near 10^9). */
const FIRST_UPDATE_ID = 1;

/** mulberry32: small, fast and good enough for a demo. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  "Anna",
  "Boris",
  "Chen",
  "Dana",
  "Elif",
  "Farid",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Kira",
  "Luca",
  "Mira",
  "Nikolai",
  "Olga",
  "Pavel",
  "Quinn",
  "Rosa",
  "Sven",
  "Tara",
  "Umar",
  "Vera",
  "Wen",
  "Yara",
  "Zoe",
  "Artem",
  "Bea",
  "Chloe",
  "Dmitri",
  "Emma",
  "Femi",
  "Gosha",
  "Hana",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Max",
  "Nadia",
  "Oskar",
];
const LAST_INITIALS = "ABCDEFGHIKLMNOPRSTVWZ";
const PHRASES = [
  "Good morning everyone!",
  "Has anyone tried the new release?",
  "I'll be late today",
  "Thanks, that helped a lot",
  "Where can I find the docs?",
  "Nice one 👍",
  "Same problem here",
  "Let's meet at 6",
  "Any news about the update?",
  "Welcome to the newcomers!",
  "Can someone share the link again?",
  "I agree",
  "Great discussion today",
  "Does this work on Android?",
  "See you tomorrow",
  "The meetup was fun",
  "Who's joining on Saturday?",
  "Just pushed a fix",
  "Reading the changelog now",
  "Haha, exactly",
  "What time zone are you in?",
  "Good night!",
];
const POSTS = [
  "Weekly digest: what changed this week",
  "New feature: export to CSV",
  "Tip of the day: use /settings to pick a language",
  "Maintenance tonight 22:00-23:00 UTC",
  "Community call on Thursday",
  "Release notes for version 2.4",
  "Thank you for 1,000+ subscribers!",
  "Survey: what should we build next?",
];

/** Relative activity per UTC hour: quiet nights, a morning and a bigger evening peak. */
const HOUR_WEIGHT = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3.5, 4.5, 5, 5, 4.5, 4, 3.5, 3.5, 4, 5, 6, 7, 7, 6, 4, 2];
/** Sunday..Saturday: busy midweek, quiet weekends. */
const WEEKDAY_FACTOR = [0.45, 1.0, 1.12, 1.08, 1.0, 0.8, 0.5];

/** The demo chats with history (the removed supergroup has none: the bot was kicked). */
export const HISTORY_CHATS = {
  group: { id: -4000000001, type: "group", title: "Demo Group" },
  supergroup: { id: -1001000000001, type: "supergroup", title: "Demo Supergroup", username: "demo_supergroup" },
  channel: { id: -1001000000002, type: "channel", title: "Demo Channel", username: "demo_channel" },
};

const SEEDED = [
  { id: 111111111, is_bot: false, first_name: "Alice", last_name: "Anders", username: "alice", language_code: "en" },
  { id: 222222222, is_bot: false, first_name: "Bob", username: "bob", language_code: "de" },
  { id: 333333333, is_bot: false, first_name: "Carol", language_code: "ru" },
];

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

/** A weighted choice by index (weights need not sum to 1). */
function weighted(rand, weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x <= 0) return i;
  }
  return weights.length - 1;
}

/** A count around `mean` (never negative). */
function around(rand, mean) {
  if (mean < 1) return rand() < mean ? 1 : 0;
  return Math.max(0, Math.round(mean * (0.7 + 0.6 * rand())));
}

/**
 * The history: `updates` in date order, and per chat the net member change per day
 * (`netByDay[chatId][dayIndex]`), from which the demo tells the fake Telegram how many
 * members each chat has now and reconstructs the past days' snapshots.
 */
export function generateHistory({ now = Date.now(), seed = 20261202 } = {}) {
  const rand = prng(seed);
  const today = Math.floor(now / 86_400_000) * 86_400;
  const firstDay = today - (HISTORY_DAYS - 1) * 86_400;
  const nowSec = Math.floor(now / 1000);
  const people = Array.from({ length: 80 }, (_, i) => ({
    id: 500_000_001 + i,
    is_bot: false,
    first_name: FIRST_NAMES[i % FIRST_NAMES.length],
    ...(i % 3 !== 0 && { last_name: `${LAST_INITIALS[i % LAST_INITIALS.length]}.` }),
    ...(i % 2 === 0 && { username: `${FIRST_NAMES[i % FIRST_NAMES.length].toLowerCase()}_${i}` }),
    language_code: pick(rand, ["en", "en", "ru", "de", "es"]),
  }));
  // Who is in each chat at the start (the rest join over the weeks).
  const members = {
    [HISTORY_CHATS.group.id]: [...SEEDED, ...people.slice(0, 4)],
    [HISTORY_CHATS.supergroup.id]: [...SEEDED, ...people.slice(0, 30)],
  };
  const outside = { [HISTORY_CHATS.group.id]: people.slice(4, 20), [HISTORY_CHATS.supergroup.id]: people.slice(30) };
  // Each person's talkativeness (a few talk a lot: top posters worth showing).
  const voice = new Map([...SEEDED, ...people].map((p, i) => [p.id, 1 / (1 + (i % 17)) + rand() * 0.3]));

  // The channel's invite links: most new subscribers come through one of them (Telegram names
  // the link in the chat_member update), the rest through the public username.
  const links = [
    { name: "Spring promo", creator: SEEDED[0] },
    { name: "Partners", creator: people[1] },
    { name: "Newsletter", creator: people[2] },
  ].map((l, i) => ({
    invite_link: `https://t.me/+demoLink${i + 1}AbCdEf`,
    creator: l.creator,
    creates_join_request: false,
    is_primary: false,
    is_revoked: false,
    name: l.name,
  }));
  const REACTIONS = ["👍", "❤", "🔥", "🎉"];

  const events = [];
  const netByDay = { [HISTORY_CHATS.group.id]: [], [HISTORY_CHATS.supergroup.id]: [], [HISTORY_CHATS.channel.id]: [] };
  const at = (day, r) => {
    const hour = weighted(r, HOUR_WEIGHT);
    return firstDay + day * 86_400 + hour * 3600 + Math.floor(r() * 3600);
  };
  for (let d = 0; d < HISTORY_DAYS; d++) {
    const weekday = new Date((firstDay + d * 86_400) * 1000).getUTCDay();
    const trend = 0.65 + (0.7 * d) / (HISTORY_DAYS - 1);
    const busy = WEEKDAY_FACTOR[weekday] * trend;
    for (const chat of [HISTORY_CHATS.group, HISTORY_CHATS.supergroup]) {
      let net = 0;
      // Joins and leaves first, at their own times of day.
      const joins = around(rand, chat.type === "supergroup" ? 2.2 * busy : 0.35);
      for (let j = 0; j < joins && outside[chat.id].length > 0; j++) {
        const who = outside[chat.id].splice(Math.floor(rand() * outside[chat.id].length), 1)[0];
        members[chat.id].push(who);
        events.push({ date: at(d, rand), chat, kind: "join", user: who });
        net++;
      }
      const leaves = rand() < (chat.type === "supergroup" ? 0.45 : 0.08) ? 1 : 0;
      for (let j = 0; j < leaves && members[chat.id].length > 5; j++) {
        const idx = 3 + Math.floor(rand() * (members[chat.id].length - 3)); // the seeded users stay
        const who = members[chat.id].splice(idx, 1)[0];
        outside[chat.id].push(who);
        events.push({ date: at(d, rand), chat, kind: "leave", user: who });
        net--;
      }
      netByDay[chat.id][d] = net;
      const count = around(rand, (chat.type === "supergroup" ? 34 : 9) * busy);
      const weights = members[chat.id].map((p) => voice.get(p.id) ?? 0.1);
      for (let m = 0; m < count; m++) {
        const user = members[chat.id][weighted(rand, weights)];
        events.push({ date: at(d, rand), chat, kind: "message", user, text: pick(rand, PHRASES) });
      }
    }
    // The channel: a post or three a day (fewer at weekends), subscribers coming and going.
    const channel = HISTORY_CHATS.channel;
    const posts = weekday === 0 || weekday === 6 ? (rand() < 0.5 ? 1 : 0) : 1 + Math.floor(rand() * 2.5);
    for (let p = 0; p < posts; p++) {
      const post = { date: at(d, rand), chat: channel, kind: "post", text: pick(rand, POSTS) };
      events.push(post);
      // Subscribers react over the next hours: Telegram sends the post's anonymous totals.
      const totals = REACTIONS.map(() => 0);
      for (let k = 1; k <= 3; k++) {
        for (let r = 0; r < totals.length; r++) totals[r] += around(rand, (busy * 6) / (r + 1));
        events.push({ date: post.date + k * 2 * 3600, chat: channel, kind: "reactions", post, totals: [...totals], emoji: REACTIONS });
      }
    }
    const subs = around(rand, 9 * busy);
    const unsubs = around(rand, 2.5);
    for (let s = 0; s < subs; s++) {
      const link = rand() < 0.6 ? links[weighted(rand, [5, 3, 2])] : undefined;
      events.push({ date: at(d, rand), chat: channel, kind: "subscribe", user: pick(rand, people), link });
    }
    for (let s = 0; s < unsubs; s++) events.push({ date: at(d, rand), chat: channel, kind: "unsubscribe", user: pick(rand, people) });
    netByDay[channel.id][d] = subs - unsubs;
  }

  const past = events.filter((e) => e.date < nowSec - 60).sort((a, b) => a.date - b.date);
  const messageIds = new Map();
  const updates = past.map((e, i) => {
    if (e.kind === "reactions") return { update_id: FIRST_UPDATE_ID + i, ...updateOf(e, e.post.messageId) };
    const nextId = (messageIds.get(e.chat.id) ?? 0) + 1;
    messageIds.set(e.chat.id, nextId);
    e.messageId = nextId;
    return { update_id: FIRST_UPDATE_ID + i, ...updateOf(e, nextId) };
  });
  return { updates, netByDay, firstDay, today };
}

const chatObject = (c) => ({ id: c.id, type: c.type, title: c.title, ...(c.username && { username: c.username }) });

function updateOf(e, messageId) {
  const base = { message_id: messageId, date: e.date, chat: chatObject(e.chat) };
  switch (e.kind) {
    case "message":
      return { message: { ...base, from: e.user, text: e.text } };
    case "join":
      return { message: { ...base, from: e.user, new_chat_members: [e.user] } };
    case "leave":
      return { message: { ...base, from: e.user, left_chat_member: e.user } };
    case "post":
      return { channel_post: { ...base, sender_chat: chatObject(e.chat), text: e.text } };
    case "reactions":
      return {
        message_reaction_count: {
          chat: chatObject(e.chat),
          message_id: messageId,
          date: e.date,
          reactions: e.totals
            .map((n, r) => ({ type: { type: "emoji", emoji: e.emoji[r] }, total_count: n }))
            .filter((r) => r.total_count > 0),
        },
      };
    default: {
      // Channel subscribers only show as chat_member updates (the bot is an administrator there).
      const joined = e.kind === "subscribe";
      const member = (status) => ({ user: e.user, status });
      return {
        chat_member: {
          chat: chatObject(e.chat),
          from: e.user,
          date: e.date,
          old_chat_member: member(joined ? "left" : "member"),
          new_chat_member: member(joined ? "member" : "left"),
          ...(joined && e.link && { invite_link: e.link }),
        },
      };
    }
  }
}
