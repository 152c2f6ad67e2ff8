// Live channel statistics (bearer token or staff session):
//   GET /telegram/bot/{bot_id}/chat/{chat_id}/stats/?refresh=1
//   GET /telegram/bot/{bot_id}/chats/stats/?refresh=1&limit=100&cursor=<chat_id>
// Answers are cached in KV for 60 s; refresh=1 collects again. 404 for an unknown bot, or
// for a chat that is not in that bot's chats. Auth is applied per route: other surfaces
// mount their own routes under /telegram/bot/ too.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { chatIdParam, idParam, queryOf, zBool } from "../lib/validate";
import { getBotChatsStats, getChatStats } from "../stats";

export const statsApi = new Hono<AppEnv>({ strict: false });

const refreshQuery = z.object({ refresh: zBool.optional() });
const chatsQuery = refreshQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z
    .string()
    .regex(/^-?\d{1,16}$/, "a chat id")
    .transform(Number)
    .optional(),
});

statsApi.get("/:bot_id/chat/:chat_id/stats", async (c) => {
  const botId = idParam(c, "bot_id", "Bot");
  const chatId = chatIdParam(c, "chat_id");
  const q = queryOf(c, refreshQuery);
  const deps = { env: c.env, db: c.var.db, log: c.var.log };
  return c.json(await getChatStats(deps, botId, chatId, { refresh: q.refresh }));
});

statsApi.get("/:bot_id/chats/stats", async (c) => {
  const botId = idParam(c, "bot_id", "Bot");
  const q = queryOf(c, chatsQuery);
  const deps = { env: c.env, db: c.var.db, log: c.var.log };
  return c.json(await getBotChatsStats(deps, botId, { refresh: q.refresh, limit: q.limit, cursor: q.cursor }));
});
