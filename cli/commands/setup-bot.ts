// setup-bot NAME TOKEN USERNAME [--webhook-url URL]: register a bot, then set its webhook.
import type { Bot } from "../bots";
import type { Command } from "../command";
import { FORMAT_OPTION, formatOf } from "../command";
import { FailedError } from "../errors";
import { FAIL, OK, print, printJson } from "../output";
import { webhookBody, webhookUrlOf } from "./webhook";

export const setupBot: Command = {
  name: "setup-bot",
  usage: "NAME TOKEN USERNAME [--webhook-url URL] [--no-webhook]",
  summary: "register a bot (its token is checked with getMe and stored encrypted), then set its webhook",
  details: [
    "The webhook points at the platform itself (PUBLIC_BASE_URL + /telegram/webhook/{bot_id}/) unless --webhook-url is given.",
    "example: tgp setup-bot shop 123456:ABC-your-token shop_bot",
  ].join("\n"),
  options: {
    "webhook-url": { type: "string", arg: "URL", description: "webhook URL (default: the platform's own)" },
    "no-webhook": { type: "boolean", description: "only register the bot; set no webhook (e.g. to use polling)" },
    "drop-pending-updates": { type: "boolean", description: "drop the updates Telegram has queued" },
    format: { ...FORMAT_OPTION, arg: "text|json", description: "output format (default text)" },
  },
  positionals: 3,
  async run(ctx, args) {
    const format = formatOf(args, ["text", "json"], "text");
    const [name, token, username] = args.positionals as [string, string, string];
    const api = ctx.api();
    const bot = await api.post<Bot & { commands_sync?: { menus_failed: number; last_error: string | null } }>("/api/bots", {
      name,
      token,
      username: username.replace(/^@/, ""),
    });
    if (format === "text") {
      print(ctx.io, `${OK} bot registered: ${bot.name} (#${bot.id}) @${bot.username ?? username}`);
      // The menus are a convenience: a failure is reported, and the registration stands.
      const menus = bot.commands_sync;
      if (menus && menus.menus_failed === 0) print(ctx.io, `${OK} command menus set`);
      else if (menus) print(ctx.io, `${FAIL} command menus not set (${menus.last_error}); retry with: tgp commands sync ${bot.id}`);
    }
    if (args.values["no-webhook"] === true) {
      if (format === "json") printJson(ctx.io, { bot, webhook: null });
      return 0;
    }
    try {
      const webhook = await api.post(`/telegram/webhook/${bot.id}/set/`, webhookBody(args));
      if (format === "json") printJson(ctx.io, { bot, webhook });
      else print(ctx.io, `${OK} webhook set: ${webhookUrlOf(webhook) ?? "the platform's URL"}`);
      return 0;
    } catch (err) {
      if (format === "json") printJson(ctx.io, { bot, webhook: null, webhook_error: (err as Error).message });
      else print(ctx.io, `${FAIL} webhook not set: ${(err as Error).message}`);
      throw new FailedError(`the bot was registered (#${bot.id}) but its webhook was not set; retry with: tgp webhook set ${bot.id}`);
    }
  },
};
