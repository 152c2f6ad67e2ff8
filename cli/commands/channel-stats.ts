// get-channel-stats: statistics of a bot's chats (or one chat), for one bot or all of them.
import { type Bot, listBots, resolveBot } from "../bots";
import { type Command, formatOf, stringOpt } from "../command";
import { UsageError } from "../errors";
import { type Cell, formatTime, print, printJson, progress, table } from "../output";

interface ChatStats {
  chat_id: number;
  title: string | null;
  username: string | null;
  type: string;
  member_count: number | null;
  admin_count: number | null;
  bot_role: string | null;
  collected_at: number | null;
  error: { kind: string; error_code: number | null; description: string } | null;
  source?: string;
}

interface BotChatsAnswer {
  bot_id: number;
  totals?: { chats: number; members: number; by_type?: Record<string, { chats: number; members: number }>; errors: number };
  count: number;
  results: ChatStats[];
  next_cursor?: string;
  [k: string]: unknown;
}

type Row = ChatStats & { bot_id: number; bot_name: string };

export const channelStats: Command = {
  name: "get-channel-stats",
  usage: "(--all-bots | --bot-id N | --bot-name NAME) [--chat-id ID] [--format table|json|summary]",
  summary: "statistics of the chats and channels a bot is in: members, administrators, the bot's role, errors",
  details: [
    "table: one line per chat; summary: totals per bot and chat type; json: the API's answers, per bot:",
    '  { "bots": [ { "bot_id", "bot_name", ...GET /telegram/bot/{id}/chats/stats/ (or .../chat/{chat_id}/stats/) } ] }',
  ].join("\n"),
  options: {
    "all-bots": { type: "boolean", description: "every bot" },
    "bot-id": { type: "string", arg: "N", description: "one bot by id" },
    "bot-name": { type: "string", arg: "NAME", description: "one bot by name" },
    "chat-id": { type: "string", arg: "ID", description: "only this chat" },
    refresh: { type: "boolean", description: "collect now from Telegram instead of the last minute's cached answer" },
    format: { type: "string", arg: "table|json|summary", description: "output format (default table)" },
  },
  positionals: 0,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json", "summary"], "table");
    const botId = stringOpt(args, "bot-id");
    const botName = stringOpt(args, "bot-name");
    const chatId = stringOpt(args, "chat-id");
    const refresh = args.values.refresh === true;
    const picked = [args.values["all-bots"] === true, botId !== undefined, botName !== undefined].filter(Boolean).length;
    if (picked !== 1) throw new UsageError("give exactly one of --all-bots, --bot-id N, --bot-name NAME");
    if (botId !== undefined && !/^\d+$/.test(botId)) throw new UsageError("--bot-id must be a number");
    if (chatId !== undefined && !/^-?\d+$/.test(chatId)) throw new UsageError("--chat-id must be a number");
    const api = ctx.api();
    const bots: Bot[] = args.values["all-bots"] ? await listBots(api) : [await resolveBot(api, botId ?? botName!)];

    const answers: Record<string, unknown>[] = [];
    const rows: Row[] = [];
    for (const [i, bot] of bots.entries()) {
      progress(ctx.io, `collecting statistics of ${bot.name} (${i + 1}/${bots.length})...`);
      if (chatId !== undefined) {
        const one = await api.get<ChatStats>(`/telegram/bot/${bot.id}/chat/${chatId}/stats/${refresh ? "?refresh=1" : ""}`);
        answers.push({ bot_id: bot.id, bot_name: bot.name, ...one });
        rows.push({ ...one, bot_id: bot.id, bot_name: bot.name });
        continue;
      }
      let cursor: string | undefined;
      const pages: BotChatsAnswer[] = [];
      do {
        const query = new URLSearchParams({ ...(refresh && { refresh: "1" }), ...(cursor && { cursor }) }).toString();
        const page = await api.get<BotChatsAnswer>(`/telegram/bot/${bot.id}/chats/stats/${query ? `?${query}` : ""}`);
        pages.push(page);
        rows.push(...page.results.map((r) => ({ ...r, bot_id: bot.id, bot_name: bot.name })));
        cursor = page.next_cursor;
        if (cursor) progress(ctx.io, `collecting statistics of ${bot.name}: ${rows.length} chats so far...`);
      } while (cursor);
      const first = pages[0]!;
      answers.push({
        bot_name: bot.name,
        ...first,
        bot_id: bot.id,
        count: pages.reduce((n, p) => n + p.count, 0),
        results: pages.flatMap((p) => p.results),
        next_cursor: undefined,
      });
    }
    progress(ctx.io, null);

    if (format === "json") printJson(ctx.io, { bots: answers });
    else if (format === "summary") print(ctx.io, summary(bots, rows, answers as Partial<BotChatsAnswer>[]));
    else if (rows.length === 0) print(ctx.io, "no chats yet: a bot's chats appear once it has received an update from them");
    else print(ctx.io, statsTable(rows, bots.length > 1));
    return 0;
  },
};

function statsTable(rows: Row[], withBot: boolean): string {
  const cols = [
    ...(withBot ? [{ header: "BOT" }] : []),
    { header: "CHAT_ID", right: true },
    { header: "TYPE" },
    { header: "TITLE", max: 32 },
    { header: "MEMBERS", right: true },
    { header: "ADMINS", right: true },
    { header: "BOT_ROLE" },
    { header: "COLLECTED" },
    { header: "ERROR", max: 50 },
  ];
  return table(
    cols,
    rows.map((r): Cell[] => [
      ...(withBot ? [r.bot_name] : []),
      r.chat_id,
      r.type,
      r.title ?? (r.username ? `@${r.username}` : null),
      r.member_count,
      r.admin_count,
      r.bot_role,
      formatTime(r.collected_at),
      r.error ? `${r.error.kind}: ${r.error.description}` : null,
    ]),
  );
}

type Totals = { chats: number; members: number; errors: number; byType: Map<string, { chats: number; members: number }> };

/** A bot's totals: the API's own (private chats included) when it gave them, else summed from the rows. */
function totalsOf(rows: Row[], answer: Partial<BotChatsAnswer> | undefined): Totals {
  const t = answer?.totals;
  if (t) {
    const byType = new Map(Object.entries(t.by_type ?? {}).filter(([, v]) => v.chats > 0));
    return { chats: t.chats, members: t.members, errors: t.errors, byType };
  }
  const byType = new Map<string, { chats: number; members: number }>();
  for (const r of rows) {
    const bt = byType.get(r.type) ?? { chats: 0, members: 0 };
    bt.chats++;
    bt.members += r.member_count ?? 0;
    byType.set(r.type, bt);
  }
  return {
    chats: rows.length,
    members: rows.reduce((n, r) => n + (r.member_count ?? 0), 0),
    errors: rows.filter((r) => r.error).length,
    byType,
  };
}

function summary(bots: Bot[], rows: Row[], answers: Partial<BotChatsAnswer>[]): string {
  const lines: string[] = [];
  const all = { chats: 0, members: 0, errors: 0 };
  for (const bot of bots) {
    const t = totalsOf(
      rows.filter((r) => r.bot_id === bot.id),
      answers.find((a) => a.bot_id === bot.id),
    );
    all.chats += t.chats;
    all.members += t.members;
    all.errors += t.errors;
    const types = [...t.byType].map(([type, v]) => `${type} ${v.chats} (${v.members} members)`).join(", ");
    lines.push(`${bot.name} (#${bot.id}): ${t.chats} chats, ${t.members} members, ${t.errors} with errors${types ? `; ${types}` : ""}`);
  }
  if (bots.length > 1) lines.push(`total: ${bots.length} bots, ${all.chats} chats, ${all.members} members, ${all.errors} with errors`);
  return lines.join("\n");
}
