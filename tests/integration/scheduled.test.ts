import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb, nowSeconds } from "../../src/db/client";
import { runScheduled } from "../../src/scheduled";
import { pruneMessages, retentionDays } from "../../src/telegram/retention";

describe("scheduled housekeeping", () => {
  it("prunes finished ledger rows past the horizon and expired sessions, and keeps the rest", async () => {
    const old = nowSeconds() - 8 * 24 * 3600;
    await env.DB.batch([
      env.DB.prepare("INSERT INTO bots (name, token_ciphertext, token_fingerprint) VALUES ('hk', 'v1:x', 'fp-hk')"),
      env.DB.prepare("INSERT INTO processed_updates (bot_id, update_id, status, received_at) VALUES (1, 1, 'done', ?)").bind(old),
      env.DB.prepare("INSERT INTO processed_updates (bot_id, update_id, status, received_at) VALUES (1, 2, 'done', ?)").bind(nowSeconds()),
      env.DB.prepare("INSERT INTO processed_updates (bot_id, update_id, status, received_at) VALUES (1, 3, 'processing', ?)").bind(old),
      env.DB.prepare("INSERT INTO sessions (bot_id, chat_id, user_id, data, expires_at) VALUES (1, 10, 10, '{}', ?)").bind(
        nowSeconds() - 1,
      ),
      env.DB.prepare("INSERT INTO sessions (bot_id, chat_id, user_id, data, expires_at) VALUES (1, 11, 11, '{}', ?)").bind(
        nowSeconds() + 600,
      ),
    ]);
    await runScheduled({ cron: "*/15 * * * *", scheduledTime: Date.now() }, env);
    const ledger = await env.DB.prepare("SELECT update_id FROM processed_updates ORDER BY update_id").all<{ update_id: number }>();
    expect(ledger.results.map((r) => r.update_id)).toEqual([2, 3]);
    const sessions = await env.DB.prepare("SELECT chat_id FROM sessions").all<{ chat_id: number }>();
    expect(sessions.results.map((r) => r.chat_id)).toEqual([11]);
  });

  it("with MESSAGE_RETENTION_DAYS set, deletes older messages and keeps newer ones and the rollups", async () => {
    const day = 24 * 3600;
    const now = nowSeconds();
    const insert = (messageId: number, ageDays: number) =>
      env.DB.prepare(
        "INSERT INTO messages (bot_id, chat_id, message_id, date, kind, direction, text, created_at) VALUES (1, 50, ?, ?, 'text', 'in', 'hi', ?)",
      ).bind(messageId, now - ageDays * day, now - ageDays * day);
    await env.DB.batch([
      insert(1, 45),
      insert(2, 31),
      insert(3, 29),
      insert(4, 1),
      env.DB.prepare("INSERT INTO chat_daily_activity (bot_id, chat_id, day, messages) VALUES (1, 50, '2026-01-01', 4)"),
    ]);
    const remaining = async () =>
      (
        await env.DB.prepare("SELECT message_id FROM messages WHERE chat_id = 50 ORDER BY message_id").all<{ message_id: number }>()
      ).results.map((r) => r.message_id);

    // Unset: nothing is deleted.
    await runScheduled({ cron: "*/15 * * * *", scheduledTime: Date.now() }, env);
    expect(await remaining()).toEqual([1, 2, 3, 4]);

    await runScheduled({ cron: "*/15 * * * *", scheduledTime: Date.now() }, { ...env, MESSAGE_RETENTION_DAYS: "30" });
    expect(await remaining()).toEqual([3, 4]);
    const rollup = await env.DB.prepare("SELECT messages FROM chat_daily_activity WHERE chat_id = 50").first<{ messages: number }>();
    expect(rollup?.messages).toBe(4);
  });

  it("deletes a backlog in bounded steps, oldest first", async () => {
    const db = createDb(env.DB);
    const old = nowSeconds() - 100 * 24 * 3600;
    // Ids grow with storage time in real use; rows left by the test above would break that here.
    await env.DB.prepare("DELETE FROM messages").run();
    await env.DB.batch(
      Array.from({ length: 7 }, (_, i) =>
        env.DB.prepare(
          "INSERT INTO messages (bot_id, chat_id, message_id, date, kind, direction, created_at) VALUES (1, 60, ?, ?, 'text', 'in', ?)",
        ).bind(i + 1, old, old),
      ),
    );
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE chat_id = 60").first<{ n: number }>())?.n;
    expect(await pruneMessages(db, 30, { chunk: 2, maxChunks: 2 })).toBe(4);
    expect(await count()).toBe(3);
    expect(await pruneMessages(db, 30, { chunk: 2, maxChunks: 2 })).toBe(3);
    expect(await count()).toBe(0);
  });

  it("reads the retention variable strictly", () => {
    expect(retentionDays(undefined)).toBeUndefined();
    expect(retentionDays("")).toBeUndefined();
    expect(retentionDays("0")).toBeUndefined();
    expect(retentionDays("abc")).toBeUndefined();
    expect(retentionDays("14")).toBe(14);
  });
});
