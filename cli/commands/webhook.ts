// webhook info|set|delete BOT: the bot's Telegram webhook, through the platform.
import { resolveBot } from "../bots";
import { type Command, FORMAT_OPTION, formatOf, type Parsed, stringOpt } from "../command";
import { OK, print, printJson } from "../output";
import { keyValues, webhookInfoOf, webhookLines } from "../webhook-shape";

const BOT_USAGE = "BOT (a bot's id or name)";

export const webhookInfo: Command = {
  name: "webhook info",
  usage: `${BOT_USAGE} [--format table|json]`,
  summary: "show Telegram's webhook info for a bot (url, pending updates, last error)",
  options: { format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bot = await resolveBot(ctx.api(), args.positionals[0]!);
    const answer = await ctx.api().get(`/telegram/webhook/${bot.id}/info/`);
    if (format === "json") printJson(ctx.io, answer);
    else print(ctx.io, keyValues([["bot", `${bot.name} (#${bot.id})`], ...webhookLines(webhookInfoOf(answer))]));
    return 0;
  },
};

export const webhookSet: Command = {
  name: "webhook set",
  usage: `${BOT_USAGE} [--url URL] [--drop-pending-updates] [--allowed-updates message,callback_query,...]`,
  summary: "point the bot's webhook at the platform (or at --webhook-url)",
  details: "Without --url the platform uses its own address: PUBLIC_BASE_URL + /telegram/webhook/{bot_id}/.",
  options: {
    // "--url" is the platform's address (a global option), so the webhook's own URL is --webhook-url.
    "webhook-url": { type: "string", arg: "URL", description: "the webhook URL (default: the platform's own)" },
    "drop-pending-updates": { type: "boolean", description: "drop the updates Telegram has queued" },
    "allowed-updates": { type: "string", arg: "LIST", description: "comma-separated update types" },
    format: FORMAT_OPTION,
  },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bot = await resolveBot(ctx.api(), args.positionals[0]!);
    const body = webhookBody(args);
    const answer = await ctx.api().post(`/telegram/webhook/${bot.id}/set/`, body);
    if (format === "json") printJson(ctx.io, answer);
    else print(ctx.io, `${OK} webhook set for ${bot.name} (#${bot.id}): ${webhookUrlOf(answer) ?? body.url ?? "the platform's URL"}`);
    return 0;
  },
};

export const webhookDelete: Command = {
  name: "webhook delete",
  usage: `${BOT_USAGE} [--drop-pending-updates]`,
  summary: "remove the bot's webhook (Telegram then keeps updates for getUpdates)",
  options: { "drop-pending-updates": { type: "boolean", description: "drop the updates Telegram has queued" }, format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bot = await resolveBot(ctx.api(), args.positionals[0]!);
    const drop = args.values["drop-pending-updates"] === true;
    const answer = await ctx.api().post(`/telegram/webhook/${bot.id}/delete/`, drop ? { drop_pending_updates: true } : {});
    if (format === "json") printJson(ctx.io, answer);
    else print(ctx.io, `${OK} webhook deleted for ${bot.name} (#${bot.id})`);
    return 0;
  },
};

export function webhookBody(args: Parsed): { url?: string; drop_pending_updates?: boolean; allowed_updates?: string[] } {
  const url = stringOpt(args, "webhook-url");
  const allowed = stringOpt(args, "allowed-updates");
  return {
    ...(url && { url }),
    ...(args.values["drop-pending-updates"] === true && { drop_pending_updates: true }),
    ...(allowed !== undefined && {
      allowed_updates: allowed
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    }),
  };
}

export function webhookUrlOf(answer: unknown): string | undefined {
  const a = answer as { url?: string; webhook_url?: string; webhook?: { url?: string }; bot?: { webhook_url?: string } };
  return a?.webhook_url ?? a?.url ?? a?.webhook?.url ?? a?.bot?.webhook_url;
}
