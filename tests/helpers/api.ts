// Calls the Worker the way an operator does, through its default export.
import { env, exports } from "cloudflare:workers";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

export interface ApiOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

export async function api(path: string, opts: ApiOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  return exports.default.fetch(
    new Request(`https://platform.test${path}`, { method: opts.method ?? (body ? "POST" : "GET"), headers, body }),
  );
}

export async function apiJson<T = Record<string, unknown>>(path: string, opts: ApiOptions = {}): Promise<{ status: number; body: T }> {
  const res = await api(path, opts);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Registers a bot through the API (the fake Telegram must know the token). */
export async function createBot(name: string, token: string): Promise<{ id: number; username: string }> {
  const { status, body } = await apiJson<{ id: number; username: string }>("/api/bots", { body: { name, token } });
  if (status !== 201) throw new Error(`createBot failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export { env };
