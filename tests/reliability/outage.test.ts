// D1 unavailable for 10 s in the middle of a storm, against `wrangler dev`: another process
// holds an exclusive SQLite transaction on the Worker's local D1 file (its writes then fail
// with SQLITE_BUSY, a real outage injected from outside). The driver plays Telegram: chats
// side by side, one update at a time per chat, redelivered until 2xx. Every delivery must be
// answered 2xx at once (the update is in its bot's inbox, not in D1), nothing may be lost,
// every command answered exactly once after D1 returns, and nothing left waiting after it does.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Platform, type RelBot, startPlatform, textUpdate, waitSettled } from "./support/platform";
import { pool, rng } from "./support/rng";

const CHATS = 40;
const UPDATES_PER_CHAT = 15;
const OUTAGE_S = 10;

let p: Platform;
let bot: RelBot;
const answers: { status: number; ms: number; at: number }[] = [];
const commandsPerChat = new Map<number, number>();
let planned = 0;
let lock: { locked: number; released: number } | undefined;

beforeAll(async () => {
  p = await startPlatform();
  bot = await p.addBot(7300000001);
});
afterAll(async () => {
  await p?.stop();
});

/** The Worker's local D1 file (the one SQLite database under the D1 object's folder). */
function d1File(stateDir: string): string {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite"));
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return join(dir, file);
}

/** Holds BEGIN EXCLUSIVE on the file for `seconds`; resolves once the lock is taken, with its release. */
function holdExclusive(file: string, seconds: number): Promise<{ child: ChildProcess; released: Promise<number> }> {
  const script =
    "import sqlite3,sys,time\n" +
    "c=sqlite3.connect(sys.argv[1],timeout=30,isolation_level=None)\n" +
    "c.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\n" +
    "time.sleep(float(sys.argv[2]))\nc.execute('ROLLBACK')\nprint('released',flush=True)\n";
  const child = spawn("python3", ["-c", script, file, String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveLocked, reject) => {
    let out = "";
    let releasedAt: (t: number) => void = () => undefined;
    const released = new Promise<number>((r) => {
      releasedAt = r;
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("locked") && !out.includes("released")) resolveLocked({ child, released });
      if (out.includes("released")) releasedAt(Date.now());
    });
    child.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`lock holder exited ${code}`))));
  });
}

async function inbox() {
  const res = await p.api(`/telegram/bot/${bot.id}/status/`);
  return (
    (res.body as {
      inbox?: { depth: number; dead_letters: number; last_error: { error: string } | null };
      counters?: Record<string, number>;
    }) ?? {}
  );
}

describe(`D1 down for ${OUTAGE_S} s in a storm: ${CHATS} chats x ${UPDATES_PER_CHAT} updates`, () => {
  it("answers every delivery 2xx at once while D1 is down", async () => {
    const r = rng(31);
    let updateId = 930_000_000;
    let messageId = 1;
    const chats = Array.from({ length: CHATS }, (_, c) => {
      const chatId = 9_300_001 + c;
      return Array.from({ length: UPDATES_PER_CHAT }, () => {
        const isCommand = r() < 0.25;
        if (isCommand) commandsPerChat.set(chatId, (commandsPerChat.get(chatId) ?? 0) + 1);
        return textUpdate(++updateId, chatId, chatId, messageId++, isCommand ? "/start" : `words ${updateId}`);
      });
    });
    planned = CHATS * UPDATES_PER_CHAT;
    const file = d1File(p.worker.stateDir);
    let sent = 0;
    let outage: Promise<void> | undefined;
    await pool(chats, 8, async (list) => {
      for (const u of list) {
        // A third of the way in, D1 goes away for OUTAGE_S seconds.
        if (++sent === Math.floor(planned / 3) && !outage) {
          outage = (async () => {
            const h = await holdExclusive(file, OUTAGE_S);
            const locked = Date.now();
            lock = { locked, released: await h.released };
          })();
          await new Promise((res) => setTimeout(res, 300));
        }
        for (let attempt = 0; attempt < 20; attempt++) {
          const t0 = Date.now();
          const status = await p.deliver(bot, u).catch(() => 0);
          answers.push({ status, ms: Date.now() - t0, at: t0 });
          if (status >= 200 && status < 300) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        // Deliveries keep coming through the outage: pace them so it spans the storm's middle.
        await new Promise((res) => setTimeout(res, 40));
      }
    });
    await outage;
    const during = answers.filter((a) => lock && a.at >= lock.locked && a.at <= lock.released);
    const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    console.log(
      `[outage] ${planned} updates, ${answers.length} deliveries, ${during.length} of them while D1 was locked (${OUTAGE_S} s); ` +
        `statuses ${JSON.stringify(Object.fromEntries(answers.reduce((m, a) => m.set(a.status, (m.get(a.status) ?? 0) + 1), new Map<number, number>())))}; ` +
        `answer p99 ${p99} ms, max ${sorted.at(-1)} ms`,
    );
    expect(lock).toBeDefined();
    expect(during.length).toBeGreaterThan(50);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.length).toBe(planned);
  });

  it("loses nothing, answers every command exactly once after D1 returns, and leaves nothing waiting", async () => {
    const released = lock?.released ?? Date.now();
    let state = await inbox();
    for (let i = 0; i < 120 && state.inbox?.depth !== 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      state = await inbox();
    }
    const settledAfter = (Date.now() - released) / 1000;
    // The replies the send governor paced are still leaving from the outbox: wait for them too.
    const outboxAfter = await waitSettled(p, [bot], 60_000);
    console.log(`[outage] outbox empty ${outboxAfter.toFixed(1)} s after the inbox`);
    expect(state.inbox).toMatchObject({ depth: 0, dead_letters: 0 });
    expect(state.inbox?.last_error?.error ?? "").toMatch(/SQLITE_BUSY|locked/i);
    const sql = p.snapshot();
    const stored = sql(`SELECT count(*) AS n, count(DISTINCT update_id) AS d FROM messages WHERE bot_id = ${bot.id} AND direction = 'in'`);
    expect(stored[0]).toEqual({ n: planned, d: planned });
    const wrong: string[] = [];
    for (const [chatId, n] of commandsPerChat) {
      const sends = p.tg.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === chatId && !c.fault).length;
      if (sends !== n) wrong.push(`chat ${chatId}: ${n} commands, ${sends} replies`);
    }
    const out = sql(`SELECT count(*) AS n FROM messages WHERE bot_id = ${bot.id} AND direction = 'out'`)[0]?.n;
    const commands = [...commandsPerChat.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[outage] inbox empty ${settledAfter.toFixed(1)} s after D1 returned; ${commands} commands, ${commands - wrong.length === commands ? commands : "?"} answered once; ` +
        `counters ${JSON.stringify(state.counters)}`,
    );
    expect(wrong).toEqual([]);
    expect(out).toBe(commands);
    expect(settledAfter).toBeLessThan(30);
  });
});
