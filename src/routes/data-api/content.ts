// /api/content: news and games shown by /news and /games (bot_id null = every bot).
//   GET / ?kind&bot_id&cursor&limit, POST /, GET|PATCH|DELETE /{id}
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { findBot } from "../../db/bots";
import { nowSeconds } from "../../db/client";
import { contentItems } from "../../db/schema";
import type { AppEnv, Db } from "../../env";
import { AppError } from "../../lib/errors";
import { idParam, jsonBody, queryOf, zHttpUrl } from "../../lib/validate";

const fields = {
  bot_id: z.number().int().positive().nullable(),
  kind: z.enum(["news", "game"]),
  title: z.string().trim().min(1).max(256),
  url: zHttpUrl.nullable(),
  summary: z.string().max(2000).nullable(),
  published_at: z.number().int().nonnegative(),
};
const createSchema = z.strictObject({
  ...fields,
  bot_id: fields.bot_id.optional(),
  url: fields.url.optional(),
  summary: fields.summary.optional(),
  published_at: fields.published_at.optional(),
});
const patchSchema = z
  .strictObject(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
const listQuery = z.strictObject({
  kind: z.enum(["news", "game"]).optional(),
  bot_id: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200)
    .optional(),
});

type Row = typeof contentItems.$inferSelect;
const json = (r: Row) => ({
  id: r.id,
  bot_id: r.botId,
  kind: r.kind,
  title: r.title,
  url: r.url,
  summary: r.summary,
  published_at: r.publishedAt,
  created_at: r.createdAt,
});

async function assertBot(db: Db, botId: number | null | undefined) {
  if (botId != null && !(await findBot(db, botId))) throw new AppError("BAD_REQUEST", `Bot ${botId} does not exist`);
}

async function requireItem(db: Db, id: number): Promise<Row> {
  const row = await db.select().from(contentItems).where(eq(contentItems.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Content item ${id} not found`);
  return row;
}

export const contentApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = queryOf(c, listQuery);
    const limit = q.limit ?? 50;
    const conds = [
      q.kind ? eq(contentItems.kind, q.kind) : undefined,
      q.bot_id !== undefined ? eq(contentItems.botId, q.bot_id) : undefined,
      q.cursor !== undefined ? lt(contentItems.id, q.cursor) : undefined,
    ].filter((x): x is SQL => x !== undefined);
    const rows = await c.var.db
      .select()
      .from(contentItems)
      .where(and(...conds))
      .orderBy(desc(contentItems.id))
      .limit(limit + 1)
      .all();
    const results = rows.slice(0, limit);
    const last = results[results.length - 1];
    return c.json({ count: results.length, results: results.map(json), next_cursor: rows.length > limit && last ? String(last.id) : null });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    await assertBot(c.var.db, body.bot_id);
    const row = await c.var.db
      .insert(contentItems)
      .values({
        botId: body.bot_id ?? null,
        kind: body.kind,
        title: body.title,
        url: body.url ?? null,
        summary: body.summary ?? null,
        publishedAt: body.published_at ?? nowSeconds(),
      })
      .returning()
      .get();
    return c.json(json(row), 201);
  })
  .get("/:id", async (c) => c.json(json(await requireItem(c.var.db, idParam(c, "id", "Content item")))))
  .patch("/:id", async (c) => {
    const item = await requireItem(c.var.db, idParam(c, "id", "Content item"));
    const body = await jsonBody(c, patchSchema);
    await assertBot(c.var.db, body.bot_id);
    const row = await c.var.db
      .update(contentItems)
      .set({
        ...(body.bot_id !== undefined && { botId: body.bot_id }),
        ...(body.kind !== undefined && { kind: body.kind }),
        ...(body.title !== undefined && { title: body.title }),
        ...(body.url !== undefined && { url: body.url }),
        ...(body.summary !== undefined && { summary: body.summary }),
        ...(body.published_at !== undefined && { publishedAt: body.published_at }),
      })
      .where(eq(contentItems.id, item.id))
      .returning()
      .get();
    return c.json(json(row ?? item));
  })
  .delete("/:id", async (c) => {
    const item = await requireItem(c.var.db, idParam(c, "id", "Content item"));
    await c.var.db.delete(contentItems).where(eq(contentItems.id, item.id));
    return c.json({ deleted: true, id: item.id });
  });
