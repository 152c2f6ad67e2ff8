import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../env";
import * as schema from "./schema";

export function createDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

/** Unix epoch seconds, the unit of every time column. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
