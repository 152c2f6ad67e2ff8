// /admin/tokens/: per-person API tokens (admins only, by the access table). A new token is
// shown once on the page that created it (never in a URL or a redirect); only its hash
// is kept. Revoking is immediate.

import { ROLES, type Role } from "../../lib/roles";
import { createToken, listTokens, revokeToken } from "../../services/api-tokens";
import { ActionButton, Csrf, Empty, fmtTime, Notice, Table } from "../../views/components";
import { actorName } from "../staff-api";
import { type Ctx, formFields, pagesApp, redirectWith, render } from "./common";

const BASE = "/admin/tokens/";

async function tokensPage(c: Ctx, extra?: { created?: { name: string; token: string }; error?: string }, status: 200 | 201 | 400 = 200) {
  const rows = await listTokens(c.var.db);
  const csrf = c.get("csrfToken");
  c.header("cache-control", "no-store");
  return render(
    c,
    { title: "API tokens" },
    <>
      {extra?.created ? (
        <Notice kind="ok">
          Token "{extra.created.name}" created. Copy it now: it is shown only this once.
          <pre>
            <code id="new-token">{extra.created.token}</code>
          </pre>
        </Notice>
      ) : null}
      {extra?.error ? <Notice kind="error">{extra.error}</Notice> : null}
      {rows.length === 0 ? (
        <Empty title="No API tokens">Create one below; the CLI and scripts send it as Authorization: Bearer.</Empty>
      ) : (
        <Table
          head={["Name", "Role", "Starts with", "Created", "By", "Last used", "Status", ""]}
          rows={rows.map((t) => [
            t.name,
            t.role,
            <code>{t.prefix}…</code>,
            fmtTime(t.createdAt),
            t.createdBy ?? "",
            fmtTime(t.lastUsedAt),
            t.revokedAt === null ? "active" : `revoked ${fmtTime(t.revokedAt)}`,
            t.revokedAt === null ? (
              <ActionButton
                action={`${BASE}${t.id}/revoke`}
                csrf={csrf}
                label="Revoke"
                kind="danger"
                confirm={`Revoke "${t.name}"? Calls with it fail from now on.`}
              />
            ) : (
              ""
            ),
          ])}
        />
      )}
      <details class="panel" open={rows.length === 0}>
        <summary>Create a token</summary>
        <form method="post" action={`${BASE}new`} class="stack">
          <Csrf token={csrf} />
          <label for="name">Name (whose, what for)</label>
          <input id="name" name="name" required maxlength={100} autocomplete="off" />
          <label for="role">Role</label>
          <select id="role" name="role">
            {ROLES.map((r) => (
              <option value={r} selected={r === "viewer"}>
                {r}
              </option>
            ))}
          </select>
          <button type="submit" class="btn primary">
            Create
          </button>
        </form>
      </details>
    </>,
    status,
  );
}

export const adminTokensPages = pagesApp()
  .get("/", (c) => tokensPage(c))
  .post("/new", async (c) => {
    const f = await formFields(c);
    const name = (f.name ?? "").trim();
    const role = f.role as Role;
    if (!name || name.length > 100) return tokensPage(c, { error: "Give the token a name (1-100 characters)." }, 400);
    if (!(ROLES as readonly string[]).includes(role)) return tokensPage(c, { error: "Pick a role: viewer, staff or admin." }, 400);
    const { row, token } = await createToken(c.var.db, { name, role, createdBy: actorName(c.var.principal) });
    c.var.log.info("api token created", { token_id: row.id, role, by: actorName(c.var.principal) });
    return tokensPage(c, { created: { name, token } }, 201);
  })
  .post("/:id{[0-9]+}/revoke", async (c) => {
    const row = await revokeToken(c.var.db, Number(c.req.param("id")));
    c.var.log.info("api token revoked", { token_id: row.id, by: actorName(c.var.principal) });
    return redirectWith(c, BASE, "ok", `Token "${row.name}" revoked.`);
  });
