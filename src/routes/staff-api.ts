// JSON API for staff accounts and per-person API tokens (admins only, by the access
// table): GET/POST /api/staff, PATCH/DELETE /api/staff/{id}; GET/POST /api/tokens,
// DELETE /api/tokens/{id}. The CLI's staff and tokens commands call these.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Principal } from "../env";
import { ROLES } from "../lib/roles";
import { idParam, jsonBody } from "../lib/validate";
import { createToken, listTokens, publicToken, revokeToken } from "../services/api-tokens";
import { createStaff, deleteStaff, listStaff, MIN_PASSWORD_LENGTH, publicStaff, USERNAME_RE, updateStaff } from "../services/staff";

const createSchema = z.strictObject({
  username: z.string().trim().regex(USERNAME_RE, "2-64 letters, digits or _.@-"),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(256),
  role: z.enum(ROLES).default("staff"),
});

const patchSchema = z
  .strictObject({
    is_active: z.boolean().optional(),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(256).optional(),
    role: z.enum(ROLES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "name at least one of is_active, password, role");

const tokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
});

/** Who did it, for the token's created_by and the logs (never a secret). */
export function actorName(p: Principal | undefined): string {
  if (!p) return "unknown";
  return p.kind === "staff" ? `staff:${p.username}` : p.tokenId === null ? "ADMIN_API_TOKEN" : `token:${p.tokenId}:${p.name}`;
}

export const staffApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listStaff(c.var.db);
    return c.json({ count: rows.length, results: rows.map(publicStaff) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    const row = await createStaff(c.var.db, body);
    c.var.log.info("staff account created", { staff_id: row.id, role: row.role, by: actorName(c.var.principal) });
    return c.json(publicStaff(row), 201);
  })
  .patch("/:id", async (c) => {
    const id = idParam(c, "id", "Staff account");
    const body = await jsonBody(c, patchSchema);
    const row = await updateStaff(c.var.db, id, { isActive: body.is_active, password: body.password, role: body.role });
    c.var.log.info("staff account changed", {
      staff_id: id,
      fields: Object.keys(body).join(","),
      by: actorName(c.var.principal),
    });
    return c.json(publicStaff(row));
  })
  .delete("/:id", async (c) => {
    const id = idParam(c, "id", "Staff account");
    const row = await deleteStaff(c.var.db, id);
    c.var.log.info("staff account deleted", { staff_id: id, by: actorName(c.var.principal) });
    return c.json({ deleted: true, id: row.id, username: row.username });
  });

export const tokensApi = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listTokens(c.var.db);
    return c.json({ count: rows.length, results: rows.map(publicToken) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, tokenSchema);
    const { row, token } = await createToken(c.var.db, { ...body, createdBy: actorName(c.var.principal) });
    c.var.log.info("api token created", { token_id: row.id, role: row.role, by: actorName(c.var.principal) });
    c.header("cache-control", "no-store");
    // The only answer that carries the token: it is stored as a hash and cannot be shown again.
    return c.json({ ...publicToken(row), token }, 201);
  })
  .delete("/:id", async (c) => {
    const id = idParam(c, "id", "API token");
    const row = await revokeToken(c.var.db, id);
    c.var.log.info("api token revoked", { token_id: id, by: actorName(c.var.principal) });
    return c.json(publicToken(row));
  });
