// Storage failure: D1 made to fail at every point of the coordinator's handling of one
// update, one point per update: each D1 call in turn throws before it runs, and, for
// batches, a statement that really fails is put before each statement and after the last
// (D1 rolls the batch back). Each point fails twice over: once for that call only (a
// transient error) and once for that call and every later one (D1 down, until it is
// healthy again). The delivery is answered 200 at once either way (the update is in the
// bot's inbox, not in D1); the coordinator retries by itself, and once D1 is healthy the
// update is stored, counted and answered exactly once: no reply repeated, with D1 down too
// (every send is journaled in the coordinator's own storage, see src/coordinator/journal.ts).
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../../src/env";
import { FakeTelegram } from "../../helpers/fake-telegram";
import { stubFor, useFakeClock, withInstance } from "../../integration/coordinator-support";
import { deliver, settle, type TestBot, textUpdate } from "../../integration/webhook-support";
import { captureConsole, countOf, leakedSecrets, print, realisticBot, secretsOf } from "./support";

const fake = new FakeTelegram();
const out = captureConsole();
let bot: TestBot;
let clock: Awaited<ReturnType<typeof useFakeClock>>;

beforeAll(async () => {
  fake.listen();
  bot = await realisticBot(fake, 7500000001, "storage_bot");
  clock = await useFakeClock(stubFor(bot.id));
});
afterAll(() => {
  out.restore();
  fake.close();
});

interface Failure {
  /** Which D1 call (1-based) of the delivery fails. */
  at: number;
  /** "throw": the call fails before running; "stmt": a failing statement at `index` inside the batch. */
  how: "throw" | "stmt";
  index?: number;
  /** Every later call of the delivery fails the same way too (D1 down, not a transient error). */
  persist?: boolean;
}

const failsNow = (failure: Failure | undefined, call: number) =>
  failure !== undefined && (failure.persist ? call >= failure.at : call === failure.at);

interface Op {
  kind: string;
  sql: string;
  /** Statements in a batch. */
  size?: number;
}

/** A D1 binding that records each call and fails the one the plan names. */
function flakyD1(real: D1Database, failure: Failure | undefined, ops: Op[]): D1Database {
  const targets = new WeakMap<object, D1PreparedStatement>();
  const check = (kind: string, sql: string, size?: number) => {
    // The bot's own row is cached per isolate for a few seconds, so whether it is read at
    // all depends on timing: it is left out of the count to keep the failure points stable.
    if (/from "bots"/i.test(sql)) return;
    ops.push({ kind, sql, size });
    if (failure?.how === "throw" && failsNow(failure, ops.length))
      throw new Error(`D1_ERROR: injected failure at call ${failure.at} (${kind})`);
  };
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return (...args: unknown[]) => {
            check(String(prop), sql);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    targets.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          const list = stmts.map((s) => targets.get(s) ?? s);
          check("batch", `${stmts.length} statements`, stmts.length);
          if (failure?.how === "stmt" && failsNow(failure, ops.length)) {
            list.splice(failure.index ?? 0, 0, target.prepare("INSERT INTO no_such_table_injected (x) VALUES (1)"));
          }
          return target.batch(list);
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          check("exec", sql);
          return target.exec(sql);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The coordinator's D1 for what follows (a flaky one, or the real one back). */
async function useD1(db: D1Database): Promise<void> {
  await withInstance(stubFor(bot.id), (inst) => {
    (inst as unknown as { env: Env }).env = Object.assign(Object.create(null), env, { DB: db }) as Env;
  });
}

/**
 * Delivers the update (answered at once), lets the coordinator handle it on a D1 that fails
 * as planned, then on a healthy D1 after the retry's wait; answers the delivery's status.
 */
async function deliverWith(failure: Failure | undefined, update: { update_id: number }, ops: Op[] = []) {
  await useD1(flakyD1(env.DB, failure, ops));
  let res: Response;
  try {
    res = await deliver(bot.id, bot.secret, update, {}, { handled: false });
    await settle(bot.id);
  } finally {
    await useD1(env.DB);
  }
  if (failure) {
    clock.advance(60_000);
    await settle(bot.id);
  }
  return res.status;
}

let nextUser = 75_000_000;

describe("storage failure at every point of an update's ingest", () => {
  for (const text of ["/start", "/help", "plain words"]) {
    it(`${text}: 200 at once when D1 fails, and the coordinator completes it exactly once`, async () => {
      // A dry run learns the D1 calls a fresh update of this kind makes.
      const ops: Op[] = [];
      const probeUser = nextUser++;
      expect(await deliverWith(undefined, textUpdate(text, { userId: probeUser }), ops)).toBe(200);
      const calls = ops.length;
      expect(calls).toBeGreaterThanOrEqual(1);

      const failures: Failure[] = [];
      for (const persist of [false, true]) {
        ops.forEach((op, i) => {
          failures.push({ at: i + 1, how: "throw", persist });
          // A statement that really fails before each statement of a batch, and after the last.
          for (let index = 0; op.kind === "batch" && index <= (op.size ?? 0); index++) {
            failures.push({ at: i + 1, how: "stmt", index, persist });
          }
        });
      }
      const report: string[] = [];
      const transient: { label: string; repeated: boolean }[] = [];
      let repeatedWhileDown = 0;
      for (const f of failures) {
        const user = nextUser++;
        const update = textUpdate(text, { userId: user });
        fake.reset();
        const seen: Op[] = [];
        const status = await deliverWith(f, update, seen);
        const label = `${text}: D1 call ${f.at}/${calls} (${ops[f.at - 1]?.kind}) ${f.persist ? "and after " : ""}${f.how}${f.index === undefined ? "" : ` before statement ${f.index}`}`;
        // Telegram's own redeliveries are duplicates now: nothing is done twice.
        const again = (await deliver(bot.id, bot.secret, update)).status;
        const late = (await deliver(bot.id, bot.secret, update)).status;
        const inbox = await stubFor(bot.id).inboxStatus();
        const state = {
          status,
          redelivery: [again, late],
          stored: await countOf("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND update_id = ?", bot.id, update.update_id),
          counted: await countOf(
            "SELECT coalesce(sum(messages), 0) AS n FROM chat_user_daily WHERE bot_id = ? AND user_id = ?",
            bot.id,
            user,
          ),
          done: await countOf(
            "SELECT count(*) AS n FROM processed_updates WHERE bot_id = ? AND update_id = ? AND status = 'done'",
            bot.id,
            update.update_id,
          ),
          replies: await countOf("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND chat_id = ? AND direction = 'out'", bot.id, user),
          waiting: inbox.depth,
          dead: inbox.dead_letters,
        };
        const sends = fake.callsOf("sendMessage").length;
        const isCommand = text.startsWith("/");
        report.push(`${label}: ${JSON.stringify(state)} sendMessage ${sends}`);
        const expected = {
          status: 200,
          redelivery: [200, 200],
          stored: 1,
          counted: 1,
          done: 1,
          replies: isCommand ? 1 : 0,
          waiting: 0,
          dead: 0,
        };
        expect(state, label).toEqual(expected);
        expect(sends, label).toBe(isCommand ? 1 : 0);
        if (f.persist) repeatedWhileDown += sends > 1 ? 1 : 0;
        else transient.push({ label, repeated: sends > 1 });
      }
      const repeated = transient.filter((t) => t.repeated).length;
      print(
        `[storage-failure] ${text}: ${failures.length / 2} failure points over ${calls} D1 calls, each transient and persistent; ` +
          `every delivery answered 200 at once; replies repeated: ${repeated} transient, ${repeatedWhileDown} with D1 down\n${report.join("\n")}`,
      );
      expect(repeated + repeatedWhileDown).toBe(0);
    });
  }
  it("never shows a secret in an answer or a log line", () => {
    expect(leakedSecrets(out.lines, secretsOf([bot]))).toEqual([]);
  });
});
