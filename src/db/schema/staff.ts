// Staff accounts and per-person API tokens.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./columns";

export const staffUsers = sqliteTable("staff_users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  // pbkdf2-sha256$iterations$salt$hash
  passwordHash: text("password_hash").notNull(),
  role: text("role").$type<"viewer" | "staff" | "admin">().notNull().default("staff"),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  // Bumped by a deactivation, password change, role change or deletion: every session
  // carries the epoch it was made under, and one with an older epoch is no longer valid.
  sessionEpoch: integer("session_epoch").notNull().default(0),
  lastLoginAt: integer("last_login_at"),
  createdAt: integer("created_at").notNull().default(now),
});

// Per-person API tokens: only the SHA-256 of the (256-bit random) token is stored; the
// token itself is shown once, when it is created. A revoked token keeps its row.
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    role: text("role").$type<"viewer" | "staff" | "admin">().notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    // The token's first characters, so a person can tell their tokens apart (not a secret).
    prefix: text("prefix").notNull(),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_created_idx").on(t.createdAt)],
);
