// Shared plumbing for the dashboard's page sub-apps: who is looking, rendering,
// pagination, notices carried in the URL, and an error handler that shows a readable page.
import type { Context, ErrorHandler } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../env";
import { errorBody } from "../../lib/errors";
import { allows, type Permission } from "../../lib/roles";
import { toAppError } from "../../services/to-app-error";
import { Notice } from "../../views/components";
import { Layout, type LayoutProps, type Viewer } from "../../views/layout";

export type Ctx = Context<AppEnv>;

export function viewerOf(c: Ctx): Viewer | undefined {
  const p = c.get("principal");
  if (!p) return undefined;
  if (p.kind === "token") return { username: `${p.name} (API token)`, role: p.role };
  return { username: p.username, role: p.role, csrf: c.get("csrfToken") };
}

export function render(c: Ctx, props: Omit<LayoutProps, "viewer" | "children">, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Layout {...props} viewer={viewerOf(c)}>
      <Flash c={c} />
      {body}
    </Layout>,
    status,
  );
}

/** ?ok= and ?error= notices left by a redirect after a form post. */
function Flash({ c }: { c: Ctx }) {
  const ok = c.req.query("ok");
  const error = c.req.query("error");
  return (
    <>
      {ok ? <Notice kind="ok">{ok}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </>
  );
}

export function redirectWith(c: Ctx, path: string, kind: "ok" | "error", message: string) {
  const u = new URL(path, "http://x");
  u.searchParams.set(kind, message.slice(0, 500));
  return c.redirect(u.pathname + u.search, 303);
}

export const PAGE_SIZE = 50;

export function paging(c: Ctx, size = PAGE_SIZE) {
  const raw = Number(c.req.query("page") ?? "1");
  const page = Number.isSafeInteger(raw) && raw > 0 && raw < 100_000 ? raw : 1;
  return { page, limit: size + 1, offset: (page - 1) * size, size };
}

/** Splits the one extra row fetched to know whether a next page exists. */
export function pageRows<T>(rows: T[], size = PAGE_SIZE): { rows: T[]; hasNext: boolean } {
  return { rows: rows.slice(0, size), hasNext: rows.length > size };
}

export function wantsHtml(c: Ctx): boolean {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/json")) return false;
  return (c.req.header("accept") ?? "").includes("text/html") || type.includes("form");
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

/**
 * Runs a service call for a form post. A refusal (bad input, a conflict, Telegram saying no
 * or being down) comes back as a message for the form, the way the API would have said it;
 * a failure of ours is logged as well, since the page shows it rather than throwing it.
 */
export async function outcomeOf<T>(c: Ctx, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const d = toAppError(err);
    if (d.status >= 500) c.get("log")?.error("page action failed", { error: err, stack: err instanceof Error ? err.stack : undefined });
    return { ok: false, status: d.status, message: d.message };
  }
}

export const pageErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  const d = toAppError(err);
  if (d.status >= 500) c.get("log")?.error("page failed", { error: err, stack: err instanceof Error ? err.stack : undefined });
  const requestId = c.get("requestId");
  if (!wantsHtml(c)) return c.json(errorBody(d.code, d.message, d.details, requestId), d.status);
  const title =
    d.status === 403 ? "Not allowed" : d.status === 404 ? "Not found" : d.status >= 500 ? "Something went wrong" : "That did not work";
  return c.html(
    <Layout title={title} viewer={viewerOf(c)}>
      <Notice kind="error">{d.message}</Notice>
      <p>
        <a href="/">Home</a>
        {requestId ? <small class="muted"> · request {requestId}</small> : null}
      </p>
    </Layout>,
    d.status,
  );
};

/** A page sub-app whose failures render as readable pages. */
export function pagesApp() {
  return new Hono<AppEnv>({ strict: false }).onError(pageErrorHandler);
}

/** Reads a urlencoded or multipart form as plain strings (files are left out). */
export async function formFields(c: Ctx): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

/** Whether the person looking holds a permission: pages offer a write form only to those who may use it. */
export function may(c: Ctx, permission: Permission): boolean {
  const p = c.get("principal");
  return p ? allows(p.role, permission) : false;
}
