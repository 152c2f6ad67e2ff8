import { listBots } from "../bots";
import { type Command, FORMAT_OPTION, formatOf } from "../command";
import { formatTime, print, printJson, table } from "../output";

export const botsList: Command = {
  name: "bots list",
  usage: "[--format table|json]",
  summary: "list the bots the platform hosts",
  options: { format: FORMAT_OPTION },
  positionals: 0,
  async run(ctx, args) {
    const format = formatOf(args, ["table", "json"], "table");
    const bots = await listBots(ctx.api());
    if (format === "json") {
      printJson(ctx.io, { count: bots.length, results: bots });
      return 0;
    }
    if (bots.length === 0) {
      print(ctx.io, "no bots yet (add one with: tgp setup-bot NAME TOKEN USERNAME)");
      return 0;
    }
    print(
      ctx.io,
      table(
        [
          { header: "ID", right: true },
          { header: "NAME" },
          { header: "USERNAME" },
          { header: "ACTIVE" },
          { header: "WEBHOOK", max: 60 },
          { header: "CREATED" },
        ],
        bots.map((b) => [
          b.id,
          b.name,
          b.username ? `@${b.username}` : null,
          b.is_active ? "yes" : "no",
          b.webhook_url,
          formatTime(b.created_at),
        ]),
      ),
    );
    return 0;
  },
};
