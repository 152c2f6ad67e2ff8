// Updates on their way to a bot: the pending queue, webhook delivery (with the secret
// header, retried on non-2xx like Telegram) and getUpdates long polling.

/** Per-bot delivery state. */
export class BotInbox {
  constructor(bot, { retryDelayMs = 500, maxRetryDelayMs = 5000, onWebhookReply } = {}) {
    this.bot = bot;
    /** { url, secret_token?, allowed_updates?, max_connections } or undefined. */
    this.webhook = undefined;
    /** Updates not yet acknowledged (webhook 2xx or a later getUpdates offset). */
    this.pending = [];
    this.lastErrorDate = undefined;
    this.lastErrorMessage = undefined;
    /** Every delivery attempt: { update_id, url, status?, error?, at }. */
    this.attempts = [];
    this.retryDelayMs = retryDelayMs;
    this.maxRetryDelayMs = maxRetryDelayMs;
    this.onWebhookReply = onWebhookReply;
    this.waiters = [];
    this.pumping = false;
    this.timer = undefined;
    this.listeners = new Set();
  }

  setWebhook(hook, dropPending) {
    this.webhook = hook;
    if (dropPending) this.pending = [];
    this.lastErrorDate = undefined;
    this.lastErrorMessage = undefined;
    this.pump();
  }

  deleteWebhook(dropPending) {
    this.webhook = undefined;
    if (dropPending) this.pending = [];
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  info() {
    const w = this.webhook;
    return strip({
      url: w?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.pending.length,
      ip_address: w ? "127.0.0.1" : undefined,
      last_error_date: this.lastErrorDate,
      last_error_message: this.lastErrorMessage,
      max_connections: w ? (w.max_connections ?? 40) : undefined,
      allowed_updates: w?.allowed_updates,
    });
  }

  /** Queues an update; answers a promise of the first delivery attempt's outcome (or "queued" without a webhook). */
  enqueue(update) {
    const allowed = this.webhook?.allowed_updates;
    if (allowed && allowed.length > 0 && !allowed.includes(updateType(update))) {
      return Promise.resolve({ delivered: false, skipped: `not in allowed_updates (${updateType(update)})` });
    }
    this.pending.push(update);
    const first = new Promise((resolve) => {
      const listener = (attempt) => {
        if (attempt.update_id !== update.update_id) return;
        this.listeners.delete(listener);
        resolve({ delivered: attempt.ok, status: attempt.status, error: attempt.error });
      };
      this.listeners.add(listener);
      if (!this.webhook) {
        this.listeners.delete(listener);
        resolve({ delivered: false, queued: true });
      }
    });
    this.wakePollers();
    this.pump();
    return first;
  }

  /** POSTs one update to the webhook now, outside the queue (a deliberate redelivery). */
  async deliverNow(update) {
    if (!this.webhook) throw new Error(`bot ${this.bot.id} has no webhook set`);
    return this.#post(update);
  }

  async pump() {
    if (this.pumping || !this.webhook) return;
    this.pumping = true;
    let failures = 0;
    try {
      // One update at a time, in order, like Telegram's delivery to one chat.
      while (this.webhook && this.pending.length > 0) {
        const update = this.pending[0];
        const attempt = await this.#post(update);
        if (attempt.ok) {
          if (this.pending[0] === update) this.pending.shift();
          failures = 0;
          continue;
        }
        failures++;
        const delay = Math.min(this.retryDelayMs * 2 ** (failures - 1), this.maxRetryDelayMs);
        await new Promise((r) => {
          this.timer = setTimeout(r, delay);
          this.timer.unref?.();
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  async #post(update) {
    const hook = this.webhook;
    const headers = { "content-type": "application/json" };
    if (hook.secret_token) headers["x-telegram-bot-api-secret-token"] = hook.secret_token;
    const attempt = { update_id: update.update_id, url: hook.url, at: Math.floor(Date.now() / 1000), ok: false };
    try {
      const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update), signal: AbortSignal.timeout(60_000) });
      attempt.status = res.status;
      const text = await res.text();
      attempt.ok = res.status >= 200 && res.status < 300;
      if (!attempt.ok) this.#error(`Wrong response from the webhook: ${res.status} ${res.statusText}`);
      else if (text && this.onWebhookReply) this.#webhookReply(text);
    } catch (err) {
      attempt.error = String(err?.cause?.code ?? err?.cause?.message ?? err?.message ?? err);
      this.#error(/ECONNREFUSED/.test(attempt.error) ? "Connection refused" : `Connection failed: ${attempt.error}`);
    }
    this.attempts.push(attempt);
    for (const l of [...this.listeners]) l(attempt);
    return attempt;
  }

  /** Telegram runs a method given in the webhook's answer body ("webhook reply"). */
  #webhookReply(text) {
    try {
      const body = JSON.parse(text);
      if (body && typeof body.method === "string") this.onWebhookReply(this.bot, body);
    } catch {
      // not JSON: ignored, as Telegram does
    }
  }

  #error(message) {
    this.lastErrorDate = Math.floor(Date.now() / 1000);
    this.lastErrorMessage = message;
  }

  /** getUpdates: confirms updates below offset, waits up to timeout seconds for new ones. */
  async getUpdates({ offset, limit = 100, timeout = 0, allowed_updates }) {
    if (offset !== undefined) {
      const n = Number(offset);
      this.pending = n < 0 ? this.pending.slice(n) : this.pending.filter((u) => u.update_id >= n);
    }
    const pick = () =>
      this.pending
        .filter((u) => !allowed_updates || allowed_updates.length === 0 || allowed_updates.includes(updateType(u)))
        .slice(0, Math.max(1, Math.min(100, Number(limit) || 100)));
    let found = pick();
    const wait = Math.min(Number(timeout) || 0, 50);
    if (found.length === 0 && wait > 0) {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, wait * 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      found = pick();
    }
    return found;
  }

  wakePollers() {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  close() {
    clearTimeout(this.timer);
    this.webhook = undefined;
    this.wakePollers();
  }
}

export function updateType(update) {
  return Object.keys(update).find((k) => k !== "update_id") ?? "unknown";
}

function strip(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
