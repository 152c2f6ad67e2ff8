// test-bot BOT CHAT_ID: checks a bot end to end, one step per line (✓/✗): the bot is known,
// Telegram knows its token (getMe via the status endpoint), its webhook, and a test message.
import { type Bot, resolveBot } from "../bots";
import { type Command, FORMAT_OPTION, formatOf, stringOpt } from "../command";
import { FailedError, UnreachableError, UsageError } from "../errors";
import { FAIL, OK, print, printJson } from "../output";
import { webhookInfoOf } from "../webhook-shape";

interface Step {
  step: string;
  ok: boolean;
  detail: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the API's answers, read defensively
type Loose = Record<string, any>;

/** The getMe result inside GET /telegram/bot/{id}/status/ ({ telegram: { ok, me } | { ok: false, error } }). */
function meOf(status: Loose): { id?: number; username?: string } | undefined {
  const t = status.telegram;
  if (t?.ok === false) throw new Error(String(t.error ?? "Telegram refused getMe"));
  return (t?.me ?? status.me) as { id?: number; username?: string } | undefined;
}

function messageIdOf(a: Loose): number | undefined {
  const first = (x: unknown) => (Array.isArray(x) ? (x[0] as Loose | undefined) : undefined);
  const m = a.message_id ?? a.message?.message_id ?? first(a.messages)?.message_id ?? first(a.results)?.message_id ?? a.result?.message_id;
  return typeof m === "number" ? m : undefined;
}

export const testBot: Command = {
  name: "test-bot",
  usage: "BOT CHAT_ID [--text TEXT] [--format text|json]",
  summary: "check a bot: getMe, webhook info, and a test message to CHAT_ID; one ✓/✗ line per step",
  details: "BOT is the bot's name or id. Exits 1 when any step fails.",
  options: {
    text: { type: "string", arg: "TEXT", description: "the test message (default: a timestamped test text)" },
    format: { ...FORMAT_OPTION, arg: "text|json", description: "output format (default text)" },
  },
  positionals: 2,
  async run(ctx, args) {
    const format = formatOf(args, ["text", "json"], "text");
    const [ref, chatArg] = args.positionals as [string, string];
    if (!/^-?\d+$|^@\w+$/.test(chatArg)) throw new UsageError("CHAT_ID must be a number or @channel_username");
    const api = ctx.api();
    const steps: Step[] = [];
    const step = async (name: string, fn: () => Promise<string>) => {
      try {
        steps.push({ step: name, ok: true, detail: await fn() });
      } catch (err) {
        if (err instanceof UnreachableError) throw err;
        steps.push({ step: name, ok: false, detail: (err as Error).message });
      }
      const s = steps.at(-1)!;
      if (format === "text") print(ctx.io, `${s.ok ? OK : FAIL} ${s.step}: ${s.detail}`);
    };

    let bot: Bot | undefined;
    await step("bot", async () => {
      bot = await resolveBot(api, ref);
      return `${bot.name} (#${bot.id})`;
    });
    if (bot) {
      const id = bot.id;
      await step("getMe", async () => {
        const me = meOf(await api.get<Loose>(`/telegram/bot/${id}/status/`));
        if (!me?.username) throw new Error("the status answer has no getMe result");
        return `@${me.username} (id ${me.id})`;
      });
      await step("webhook", async () => {
        const info = webhookInfoOf(await api.get(`/telegram/webhook/${id}/info/`));
        if (!info.url) return "not set (updates wait for polling)";
        const err = info.last_error_message ? `, last error: ${info.last_error_message}` : "";
        return `${info.url} (pending ${info.pending_update_count ?? 0}${err})`;
      });
      await step("send test message", async () => {
        const text = stringOpt(args, "text") ?? `Test message from the platform (tgp test-bot) at ${new Date().toISOString()}`;
        const chat_id = /^-?\d+$/.test(chatArg) ? Number(chatArg) : chatArg;
        const answer = await api.post<Loose>(`/telegram/bot/${id}/send/`, { chat_id, text });
        const mid = messageIdOf(answer);
        return `sent to ${chatArg}${mid === undefined ? "" : ` (message_id ${mid})`}`;
      });
    }
    const ok = steps.every((s) => s.ok);
    if (format === "json") printJson(ctx.io, { ok, bot_id: bot?.id ?? null, steps });
    if (!ok) throw new FailedError(`${steps.filter((s) => !s.ok).length} of ${steps.length} checks failed`);
    return 0;
  },
};
