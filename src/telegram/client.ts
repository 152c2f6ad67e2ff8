// The Bot API client: one typed `call` over @grammyjs/types' ApiMethods, plus
// the two helpers every caller wants (long text, Markdown fallback).
import type { Message } from "@grammyjs/types";
import { type ApiMethod, type ApiParams, type ApiResult, InputFile } from "../lib/bot-api";
import type { Logger } from "../lib/log";
import { splitText } from "../lib/split-text";
import { TelegramError, TelegramNetworkError } from "./errors";

export interface TelegramClientOptions {
  token: string;
  /** TELEGRAM_API_BASE; defaults to https://api.telegram.org. */
  baseUrl?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
  /** The longest retry_after (seconds) the client will wait out itself; longer ones surface as errors. */
  maxRetryAfter?: number;
  /** Retries after a 429, 5xx or network failure. */
  maxRetries?: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the method's own idea of whether a 5xx/network failure may be retried. */
  retryable?: boolean;
  timeoutMs?: number;
}

// Methods that can be repeated without a visible double effect after an unknown outcome.
const SAFE_TO_REPEAT = /^(get|set|delete|sendChatAction$|editMessage|answerCallbackQuery$|logOut$)/;

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TelegramClient {
  readonly #token: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #log?: Logger;
  readonly #maxRetryAfter: number;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;

  constructor(opts: TelegramClientOptions) {
    this.#token = opts.token;
    this.#base = (opts.baseUrl || "https://api.telegram.org").replace(/\/+$/, "");
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = opts.sleep ?? wait;
    this.#log = opts.log;
    this.#maxRetryAfter = opts.maxRetryAfter ?? 10;
    this.#maxRetries = opts.maxRetries ?? 2;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Calls a Bot API method; answers its result or throws TelegramError / TelegramNetworkError. */
  async call<M extends ApiMethod>(method: M, params?: ApiParams<M>, options: CallOptions = {}): Promise<ApiResult<M>> {
    const retryable = options.retryable ?? SAFE_TO_REPEAT.test(method);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#once(method, params, options)) as ApiResult<M>;
      } catch (err) {
        const delay = this.#retryDelay(err, attempt, retryable);
        if (delay === undefined) throw err;
        this.#log?.warn("telegram call retried", { method, attempt: attempt + 1, delay_ms: delay, error: String(err) });
        await this.#sleep(delay);
      }
    }
  }

  #retryDelay(err: unknown, attempt: number, retryable: boolean): number | undefined {
    if (attempt >= this.#maxRetries) return undefined;
    if (err instanceof TelegramError) {
      if (err.errorCode === 429) {
        const after = err.retryAfter ?? 1;
        // A 429 means the request was not carried out, so any method may be repeated.
        return after <= this.#maxRetryAfter ? after * 1000 : undefined;
      }
      if (err.errorCode >= 500 && retryable) return 500 * 2 ** attempt;
      return undefined;
    }
    if (err instanceof TelegramNetworkError && retryable) return 500 * 2 ** attempt;
    return undefined;
  }

  async #once(method: string, params: object | undefined, options: CallOptions): Promise<unknown> {
    const url = `${this.#base}/bot${this.#token}/${method}`;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.#fetch(url, { method: "POST", signal, ...encodeBody(params) });
    } catch (cause) {
      // Never put the URL in the message: it carries the token.
      const reason = cause instanceof Error && cause.name === "TimeoutError" ? "request timed out" : "network request failed";
      throw new TelegramNetworkError(method, reason, { cause });
    }
    let body: { ok?: boolean; result?: unknown; error_code?: number; description?: string; parameters?: object };
    try {
      body = await res.json();
    } catch (cause) {
      throw new TelegramNetworkError(method, `answer was not JSON (HTTP ${res.status})`, { cause });
    }
    if (body && body.ok === true) return body.result;
    if (body && typeof body.error_code === "number") {
      throw new TelegramError(method, body.error_code, body.description ?? "", body.parameters ?? {});
    }
    throw new TelegramNetworkError(method, `unexpected answer (HTTP ${res.status})`);
  }

  /**
   * Sends text of any length: split into messages of at most 4096 characters;
   * when Telegram cannot parse the Markdown/HTML, that piece goes again as plain text.
   */
  async sendText(params: ApiParams<"sendMessage">): Promise<Message.TextMessage[]> {
    const sent: Message.TextMessage[] = [];
    for (const piece of splitText(params.text)) {
      const one = { ...params, text: piece };
      try {
        sent.push(await this.call("sendMessage", one));
      } catch (err) {
        if (!(err instanceof TelegramError && err.isParseEntitiesError && one.parse_mode)) throw err;
        this.#log?.warn("markup rejected, sent as plain text", { method: "sendMessage", description: err.description });
        const { parse_mode: _drop, entities: _e, ...plain } = one;
        sent.push(await this.call("sendMessage", plain));
      }
    }
    return sent;
  }
}

function encodeBody(params: object | undefined): { headers?: HeadersInit; body?: BodyInit } {
  if (!params) return {};
  const entries = Object.entries(params).filter(([, v]) => v !== undefined);
  if (!entries.some(([, v]) => v instanceof InputFile)) {
    return { headers: { "content-type": "application/json" }, body: JSON.stringify(Object.fromEntries(entries)) };
  }
  const form = new FormData();
  for (const [k, v] of entries) {
    if (v instanceof InputFile) form.append(k, v.toBlob(), v.filename);
    else form.append(k, typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  return { body: form };
}

export function createTelegramClient(opts: TelegramClientOptions): TelegramClient {
  return new TelegramClient(opts);
}
