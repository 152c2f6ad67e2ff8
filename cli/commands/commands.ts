// commands sync|menus BOT: the bot's command menus at Telegram (setMyCommands per scope and
// language), through POST /api/bots/{id}/commands/sync and GET /api/bots/{id}/commands.
import { resolveBot } from "../bots";
import { type Command, FORMAT_OPTION, formatOf } from "../command";
import { FAIL, formatTime, OK, print, printJson, table } from "../output";

const BOT_USAGE = "BOT (a bot's id or name)";

interface SyncAnswer {
  sync: { ok: boolean; calls: number; skipped: number; errors: { scope: string; lang: string; error: string }[]; error?: string };
  status: { synced_at: number | null };
}

interface MenusAnswer {
  menus: {
    scope: string;
    language_code: string | null;
    commands: { command: string }[];
    in_sync: boolean;
    synced_at: number | null;
    last_error: string | null;
  }[];
}

export const commandsSync: Command = {
  name: "commands sync",
  usage: `${BOT_USAGE} [--force] [--format table|json]`,
  summary: "set the bot's command menus at Telegram (every scope and language whose list changed)",
  details: "With --force every list is sent again, changed or not (e.g. after someone changed the menus with another tool).",
  options: { force: { type: "boolean", description: "send every list, changed or not" }, format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bot = await resolveBot(ctx.api(), args.positionals[0]!);
    const answer = await ctx.api().post<SyncAnswer>(`/api/bots/${bot.id}/commands/sync`, args.values.force === true ? { force: true } : {});
    if (format === "json") printJson(ctx.io, answer);
    else {
      const s = answer.sync;
      const head = `${s.ok ? OK : FAIL} command menus of ${bot.name} (#${bot.id}): ${s.calls} sent, ${s.skipped} already up to date`;
      print(ctx.io, head);
      for (const e of s.errors) print(ctx.io, `  ${FAIL} ${e.scope}${e.lang ? ` (${e.lang})` : ""}: ${e.error}`);
    }
    return answer.sync.ok ? 0 : 1;
  },
};

export const commandsMenus: Command = {
  name: "commands menus",
  usage: `${BOT_USAGE} [--format table|json]`,
  summary: "show the bot's command menus (scope, language, commands) and whether Telegram has them",
  options: { format: FORMAT_OPTION },
  positionals: 1,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bot = await resolveBot(ctx.api(), args.positionals[0]!);
    const answer = await ctx.api().get<MenusAnswer>(`/api/bots/${bot.id}/commands`);
    if (format === "json") printJson(ctx.io, answer);
    else
      print(
        ctx.io,
        table(
          [{ header: "scope" }, { header: "lang" }, { header: "at telegram" }, { header: "synced" }, { header: "commands", max: 80 }],
          answer.menus.map((m) => [
            m.scope,
            m.language_code ?? "(any)",
            m.in_sync ? "yes" : m.last_error ? `no: ${m.last_error}` : "no",
            formatTime(m.synced_at),
            m.commands.map((c) => `/${c.command}`).join(" "),
          ]),
        ),
      );
    return 0;
  },
};
