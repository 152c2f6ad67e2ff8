// A small JSON client for the platform's API: bearer token, one error shape.
import { ApiError, UnreachableError } from "./errors";

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 120_000,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = this.baseUrl.replace(/\/+$/, "") + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const c = (err as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (err as Error).message;
      throw new UnreachableError(`cannot reach the platform at ${this.baseUrl} (${cause}); is it running? (npm run dev)`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      const hint = res.status === 401 ? " (check --token or ADMIN_API_TOKEN)" : "";
      throw new ApiError(
        res.status,
        e?.code ?? `HTTP_${res.status}`,
        `${e?.message ?? (text.slice(0, 200) || res.statusText)}${hint}`,
        e?.details,
      );
    }
    if (json === undefined) throw new ApiError(res.status, "BAD_ANSWER", `${method} ${path}: the answer was not JSON`);
    return json as T;
  }
}
