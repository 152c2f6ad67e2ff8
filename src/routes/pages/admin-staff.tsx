// /admin/staff/: dashboard accounts. Admins (the access table allows no one else) add
// accounts, change a role, deactivate or reactivate, set a new password, delete; each
// change ends the account's sessions. The last active admin cannot be removed.
import { ROLES } from "../../lib/roles";
import { createStaff, deleteStaff, listStaff, MIN_PASSWORD_LENGTH, type StaffRole, updateStaff } from "../../services/staff";
import { toAppError } from "../../services/to-app-error";
import { ActionButton, Csrf, Empty, fmtTime, Table } from "../../views/components";
import { type Ctx, formFields, pagesApp, redirectWith, render } from "./common";

const BASE = "/admin/staff/";

const roleOf = (v: string | undefined): StaffRole => ((ROLES as readonly string[]).includes(v ?? "") ? (v as StaffRole) : "staff");

function RoleSelect({ selected, id }: { selected: string; id?: string }) {
  return (
    <select name="role" id={id} aria-label="Role">
      {ROLES.map((r) => (
        <option value={r} selected={r === selected}>
          {r}
        </option>
      ))}
    </select>
  );
}

/** Runs a change and comes back to the list with its outcome (a refusal is shown, not thrown). */
async function attempt(c: Ctx, done: string, fn: () => Promise<unknown>) {
  try {
    await fn();
    return redirectWith(c, BASE, "ok", done);
  } catch (err) {
    const d = toAppError(err);
    if (d.status >= 500) throw err;
    return redirectWith(c, BASE, "error", d.message);
  }
}

export const adminStaffPages = pagesApp()
  .get("/", async (c) => {
    const rows = await listStaff(c.var.db);
    const csrf = c.get("csrfToken");
    return render(
      c,
      { title: "Staff accounts" },
      <>
        {rows.length === 0 ? (
          <Empty title="No staff accounts">
            The first admin comes from DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD or the CLI's staff create.
          </Empty>
        ) : (
          <Table
            head={["Username", "Role and status", "Last login", "New password", ""]}
            rows={rows.map((s) => [
              s.username,
              <form method="post" action={`${BASE}${s.id}`} class="inline">
                <Csrf token={csrf} />
                <RoleSelect selected={s.role} />
                <select name="is_active" aria-label="Active">
                  <option value="1" selected={s.isActive}>
                    active
                  </option>
                  <option value="0" selected={!s.isActive}>
                    deactivated
                  </option>
                </select>
                <button type="submit" class="btn small">
                  Save
                </button>
              </form>,
              fmtTime(s.lastLoginAt),
              <form method="post" action={`${BASE}${s.id}`} class="inline">
                <Csrf token={csrf} />
                <input
                  name="password"
                  type="password"
                  required
                  minlength={MIN_PASSWORD_LENGTH}
                  autocomplete="new-password"
                  aria-label={`New password for ${s.username}`}
                />
                <button type="submit" class="btn small">
                  Set
                </button>
              </form>,
              <ActionButton
                action={`${BASE}${s.id}/delete`}
                csrf={csrf}
                label="Delete"
                kind="danger"
                confirm={`Delete the account "${s.username}"? Its sessions end now.`}
              />,
            ])}
          />
        )}
        <p class="muted">Changing a role, the status or the password, or deleting an account, logs that person out everywhere.</p>
        <details class="panel">
          <summary>Add a staff account</summary>
          <form method="post" action={`${BASE}new`} class="stack">
            <Csrf token={csrf} />
            <label for="username">Username</label>
            <input id="username" name="username" required autocomplete="off" />
            <label for="password">Password (at least {MIN_PASSWORD_LENGTH} characters)</label>
            <input id="password" name="password" type="password" required minlength={MIN_PASSWORD_LENGTH} autocomplete="new-password" />
            <label for="role">Role</label>
            <RoleSelect selected="staff" id="role" />
            <button type="submit" class="btn primary">
              Create
            </button>
          </form>
        </details>
      </>,
    );
  })
  .post("/new", async (c) => {
    const f = await formFields(c);
    const username = (f.username ?? "").trim();
    return attempt(c, `Account "${username}" created.`, () =>
      createStaff(c.var.db, { username, password: f.password ?? "", role: roleOf(f.role) }),
    );
  })
  .post("/:id{[0-9]+}", async (c) => {
    const f = await formFields(c);
    const id = Number(c.req.param("id"));
    if (f.password !== undefined) {
      return attempt(c, "Password changed; that account's sessions have ended.", () => updateStaff(c.var.db, id, { password: f.password }));
    }
    return attempt(c, "Account saved; its sessions have ended.", () =>
      updateStaff(c.var.db, id, { role: roleOf(f.role), isActive: f.is_active !== "0" }),
    );
  })
  .post("/:id{[0-9]+}/delete", async (c) => {
    const id = Number(c.req.param("id"));
    return attempt(c, "Account deleted.", () => deleteStaff(c.var.db, id));
  });
