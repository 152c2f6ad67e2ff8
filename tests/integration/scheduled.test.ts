import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { nowSeconds } from "../../src/db/client";
import { runScheduled } from "../../src/scheduled";

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
});
