// Column pieces shared by the schema files.
import { sql } from "drizzle-orm";

/** The default of the time columns stamped at insert: unixepoch(), in seconds. */
export const now = sql`(unixepoch())`;
