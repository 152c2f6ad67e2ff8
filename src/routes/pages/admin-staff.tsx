// /admin/staff/: dashboard accounts (admins may add one).
import { createStaff, listStaff } from "../../lib/staff";
import { requireAdmin } from "../../middleware/auth";
import { Csrf, Empty, fmtTime, Table } from "../../views/components";
import { formFields, pagesApp, redirectWith, render } from "./common";

export const adminStaffPages = pagesApp()
  .get("/", async (c) => {
    const rows = await listStaff(c.var.db);
    return render(
      c,
      { title: "Staff accounts" },
      <>
        {rows.length === 0 ? (
          <Empty title="No staff accounts">
            The first admin comes from DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD or the CLI's create-staff.
          </Empty>
        ) : (
          <Table
            head={["Username", "Role", "Active", "Last login"]}
            rows={rows.map((s) => [s.username, s.role, s.isActive ? "yes" : "no", fmtTime(s.lastLoginAt)])}
          />
        )}
        <details class="panel">
          <summary>Add a staff account (admins only)</summary>
          <form method="post" action="/admin/staff/new" class="stack">
            <Csrf token={c.get("csrfToken")} />
            <label for="username">Username</label>
            <input id="username" name="username" required autocomplete="off" />
            <label for="password">Password (at least 8 characters)</label>
            <input id="password" name="password" type="password" required minlength={8} autocomplete="new-password" />
            <label for="role">Role</label>
            <select id="role" name="role">
              <option value="staff">staff</option>
              <option value="admin">admin</option>
            </select>
            <button type="submit" class="btn primary">
              Create
            </button>
          </form>
        </details>
      </>,
    );
  })
  .post("/new", requireAdmin(), async (c) => {
    const f = await formFields(c);
    const row = await createStaff(c.var.db, {
      username: (f.username ?? "").trim(),
      password: f.password ?? "",
      role: f.role === "admin" ? "admin" : "staff",
    });
    return redirectWith(c, "/admin/staff/", "ok", `Account "${row.username}" created.`);
  });
