// D1 cost of storing one update, per kind of update, measured by the ingest meter Worker
// (worker.ts: the platform's own store batch, D1's own rows_read / rows_written meta).
//
//   npx tsx bench/api-scale/meter/run.ts
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../../tests/helpers/wrangler-dev";

const root = resolve(import.meta.dirname, "../../..");
const wranglerJs = join(root, "node_modules/wrangler/bin/wrangler.js");
const config = join(import.meta.dirname, "wrangler.toml");
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

interface Answer {
  type: string;
  finish: string;
  statements: { rows_read: number | null; rows_written: number | null; changes: number | null }[];
}

const state = mkdtempSync(join(tmpdir(), "tgp-meter-"));
let child: ChildProcess | undefined;
try {
  const migrate = spawnSync(
    process.execPath,
    [wranglerJs, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "--config", config],
    {
      cwd: root,
      env,
      encoding: "utf8",
    },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stdout}${migrate.stderr}`);
  const port = await freePort();
  const args = [wranglerJs, "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state];
  args.push("--show-interactive-dev-session=false", "--inspector-port", String(await freePort()));
  child = spawn(process.execPath, args, { cwd: root, env, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      await fetch(url, { method: "HEAD" });
      break;
    } catch {
      if (i > 240) throw new Error("meter worker did not start");
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const now = Math.floor(Date.now() / 1000);
  let updateId = 7_000_000;
  const user = (id: number) => ({ id, is_bot: false, first_name: `User ${id}`, username: `user${id}`, language_code: "en" });
  const group = (id: number) => ({ id, title: `Group ${id}`, type: "supergroup" });
  let messageId = 1;
  const text = (chat: number, from: number, t = "an ordinary message of a few words") => ({
    update_id: ++updateId,
    message: { message_id: messageId++, from: user(from), chat: group(chat), date: now, text: t },
  });
  const send = async (u: unknown): Promise<Answer> => {
    const res = await fetch(url, { method: "POST", body: JSON.stringify(u) });
    if (!res.ok) throw new Error(`meter answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Answer;
  };
  const sum = (a: Answer, k: "rows_read" | "rows_written") => a.statements.reduce((n, s) => n + (s[k] ?? 0), 0);
  const rows: [string, Answer][] = [];

  rows.push(["text message: new chat, new user", await send(text(-1001, 101))]);
  const steady = text(-1001, 101);
  rows.push(["text message: same chat and user, same day", await send(steady)]);
  rows.push(["text message: another user in that chat", await send(text(-1001, 102))]);
  rows.push(["the same update delivered again", await send(steady)]);
  // A busy chat: 300 users already active today, then one more message from one of them.
  for (let u = 0; u < 300; u++) await send(text(-1002, 1000 + u));
  rows.push(["text message: chat with 300 active users today", await send(text(-1002, 1000))]);
  rows.push(["command /start", await send(text(-1001, 101, "/start"))]);
  rows.push([
    "edited_message",
    await send({
      update_id: ++updateId,
      edited_message: { message_id: 1, from: user(101), chat: group(-1001), date: now, edit_date: now + 5, text: "edited" },
    }),
  ]);
  rows.push([
    "channel_post",
    await send({
      update_id: ++updateId,
      channel_post: {
        message_id: 9,
        sender_chat: { id: -1003, title: "Channel", type: "channel" },
        chat: { id: -1003, title: "Channel", type: "channel" },
        date: now,
        text: "post",
      },
    }),
  ]);
  rows.push([
    "chat_member (a join)",
    await send({
      update_id: ++updateId,
      chat_member: {
        chat: group(-1001),
        from: user(103),
        date: now,
        old_chat_member: { status: "left", user: user(103) },
        new_chat_member: { status: "member", user: user(103) },
      },
    }),
  ]);

  console.log(`D1 cost of the store batch per update (D1 meta, local D1, ${new Date().toISOString().slice(0, 10)})`);
  console.log(`${"update".padEnd(48)}${"statements".padStart(11)}${"rows read".padStart(11)}${"rows written".padStart(14)}  done in batch`);
  for (const [label, a] of rows) {
    console.log(
      `${label.padEnd(48)}${String(a.statements.length).padStart(11)}${String(sum(a, "rows_read")).padStart(11)}${String(sum(a, "rows_written")).padStart(14)}  ${a.finish}`,
    );
  }
  const s = rows[1]![1];
  console.log(`\nper statement, "${rows[1]![0]}" (rows read / rows written):`);
  console.log(`  ${s.statements.map((x, i) => `#${i + 1} ${x.rows_read}/${x.rows_written}`).join("  ")}`);
} finally {
  child?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  rmSync(state, { recursive: true, force: true });
}
