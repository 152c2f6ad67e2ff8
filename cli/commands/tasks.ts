// start-all-tasks / stop-all-tasks: the bots' background tasks, all at once
// (POST /api/tasks/start-all | stop-all, optionally for one bot).
import { resolveBot } from "../bots";
import { type Command, FORMAT_OPTION, formatOf, stringOpt } from "../command";
import { formatTime, OK, print, printJson, progress, table } from "../output";

interface Task {
  id: number;
  bot_id: number;
  kind: string;
  name: string | null;
  status: string;
  last_run_at: number | null;
  last_error: string | null;
}

function allTasks(action: "start" | "stop"): Command {
  const done = action === "start" ? "started" : "stopped";
  return {
    name: `${action}-all-tasks`,
    usage: "[--bot BOT] [--format table|json]",
    summary: `${action} every background task (polling, AI chat, stats, broadcasts) of every bot, or of one`,
    options: { bot: { type: "string", arg: "BOT", description: "only this bot's tasks (id or name)" }, format: FORMAT_OPTION },
    positionals: 0,
    async run(ctx, args) {
      const format = formatOf(args, ["table", "json"], "table");
      const api = ctx.api();
      const ref = stringOpt(args, "bot");
      const body = ref === undefined ? {} : { bot_id: (await resolveBot(api, ref)).id };
      progress(ctx.io, `${action === "start" ? "starting" : "stopping"} tasks...`);
      const answer = await api.post<{ count: number; results: Task[] }>(`/api/tasks/${action}-all`, body);
      progress(ctx.io, null);
      if (format === "json") {
        printJson(ctx.io, answer);
        return 0;
      }
      if (answer.count === 0) {
        print(ctx.io, "no background tasks yet (create them on the dashboard or with POST /api/tasks)");
        return 0;
      }
      print(ctx.io, `${OK} ${done} ${answer.count} task(s)`);
      print(
        ctx.io,
        table(
          [
            { header: "TASK", right: true },
            { header: "BOT", right: true },
            { header: "KIND" },
            { header: "NAME", max: 30 },
            { header: "STATUS" },
            { header: "LAST_RUN" },
            { header: "LAST_ERROR", max: 60 },
          ],
          answer.results.map((t) => [t.id, t.bot_id, t.kind, t.name, t.status, formatTime(t.last_run_at), t.last_error]),
        ),
      );
      return 0;
    },
  };
}

export const startAllTasks = allTasks("start");
export const stopAllTasks = allTasks("stop");
