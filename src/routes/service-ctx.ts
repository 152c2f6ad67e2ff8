// The services' view of a request: its bindings, database and logger, without Hono.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import type { ServiceCtx } from "../services/context";

export const svc = (c: Context<AppEnv>): ServiceCtx => ({ env: c.env, db: c.var.db, log: c.var.log });
