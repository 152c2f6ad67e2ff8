import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** The typed D1 handle every query module takes (env.ts hands it on to the request's variables). */
export type Db = DrizzleD1Database<typeof schema>;

// drizzle() walks the whole schema to build its relational config: a measurable share of
// a webhook delivery's CPU when done per request. One instance per D1 binding object.
const instances = new WeakMap<D1Database, Db>();

export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    instances.set(d1, db);
  }
  return db;
}

/** Unix epoch seconds, the unit of every time column. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
