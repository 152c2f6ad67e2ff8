import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { activeBotsLeastRecentFirst } from "../../src/stats/cron";

it("the cron visits active bots least recently snapshotted first (never-snapshotted ones before all), inactive ones never", async () => {
  const bot = (name: string, active = 1) =>
    env.DB.prepare("INSERT INTO bots (name, token_ciphertext, token_fingerprint, is_active) VALUES (?, 'v1:x', ?, ?) RETURNING id")
      .bind(name, `fp-${name}`, active)
      .first<{ id: number }>();
  const recent = (await bot("recent"))?.id as number;
  const old = (await bot("old"))?.id as number;
  await bot("never");
  const off = (await bot("off", 0))?.id as number;
  const snap = (botId: number, chatId: number, period: number) =>
    env.DB.prepare("INSERT INTO chat_snapshots (bot_id, chat_id, period_start, collected_at) VALUES (?, ?, ?, ?)").bind(
      botId,
      chatId,
      period,
      period,
    );
  await env.DB.batch([snap(recent, 1, 7200), snap(recent, 2, 3600), snap(old, 1, 3600), snap(old, 2, 0), snap(off, 1, 0)]);

  const order = (await activeBotsLeastRecentFirst(createDb(env.DB))).map((b) => b.name);
  expect(order).toEqual(["never", "old", "recent"]);
  expect(order).not.toContain("off");
});
