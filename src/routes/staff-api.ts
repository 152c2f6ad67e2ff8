// JSON API for staff accounts (admins only): POST /api/staff, GET /api/staff.
// The CLI's create-staff command calls POST /api/staff.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { createStaff, listStaff, MIN_PASSWORD_LENGTH, publicStaff, USERNAME_RE } from "../lib/staff";
import { jsonBody } from "../lib/validate";
import { requireAdmin, requireAuth } from "../middleware/auth";

const createSchema = z.strictObject({
  username: z.string().trim().regex(USERNAME_RE, "2-64 letters, digits or _.@-"),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(256),
  role: z.enum(["staff", "admin"]).default("staff"),
});

export const staffApi = new Hono<AppEnv>()
  .use(requireAuth(), requireAdmin())
  .get("/", async (c) => {
    const rows = await listStaff(c.var.db);
    return c.json({ count: rows.length, results: rows.map(publicStaff) });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, createSchema);
    const row = await createStaff(c.var.db, body);
    c.var.log.info("staff account created", { staff_id: row.id, role: row.role });
    return c.json(publicStaff(row), 201);
  });
