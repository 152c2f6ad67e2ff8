import type { Db } from "./db/client";
import type { Logger } from "./lib/log";
import type { Role } from "./lib/roles";

/** The Worker's bindings, variables and secrets (names fixed by DESIGN.md). */
export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  /** Typed where it is used (coordinator/stub.ts), so this file does not import the class. */
  BOT_COORDINATOR: DurableObjectNamespace;
  ASSETS?: Fetcher;
  TELEGRAM_API_BASE?: string;
  OPENAI_BASE_URL?: string;
  GEMINI_BASE_URL?: string;
  PUBLIC_BASE_URL?: string;
  ADMIN_API_TOKEN?: string;
  TOKEN_ENCRYPTION_KEY?: string;
  OPENAI_API_KEY?: string;
  GEMINI_API_KEY?: string;
  /** Delete stored messages older than this many days (the cron does it; rollups are kept). Unset or 0: keep all. */
  MESSAGE_RETENTION_DAYS?: string;
  /** Bot API calls the stats cron may spend per run (default 800); also caps live requests (200) and task batches (400). */
  STATS_CALL_BUDGET?: string;
  /** D1 queries one inbox drain may make before it hands over to a new invocation (default 500; about 40 on the Free plan). */
  DRAIN_QUERY_BUDGET?: string;
  /** Local development only: creates this staff admin on first login attempt when no staff exist. */
  DEV_ADMIN_USERNAME?: string;
  DEV_ADMIN_PASSWORD?: string;
  /** Login attempts per address and per username (wrangler.toml [[ratelimits]]). */
  LOGIN_ADDRESS_LIMITER?: RateLimit;
  LOGIN_USERNAME_LIMITER?: RateLimit;
}

export type { Db };

/**
 * Who made the request: a bearer token (ADMIN_API_TOKEN has tokenId null and is an admin;
 * a per-person token has its own role) or a staff session.
 */
export type Principal =
  | { kind: "token"; tokenId: number | null; name: string; role: Role }
  | { kind: "staff"; staffId: number; username: string; role: Role };

export interface AppVariables {
  db: Db;
  log: Logger;
  requestId: string;
  principal?: Principal;
  csrfToken?: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
