// Reading the webhook endpoints' answers: Telegram's WebhookInfo, possibly wrapped.
import { formatTime } from "./output";

export interface WebhookInfo {
  url: string;
  pending_update_count?: number;
  last_error_date?: number;
  last_error_message?: string;
  max_connections?: number;
  allowed_updates?: string[];
  ip_address?: string;
  has_custom_certificate?: boolean;
}

type Wrapped = WebhookInfo & {
  webhook?: WebhookInfo;
  webhook_info?: WebhookInfo;
  info?: WebhookInfo;
  telegram?: WebhookInfo;
  result?: WebhookInfo;
};

/** GET /telegram/webhook/{id}/info/ may answer WebhookInfo itself or wrap it. */
export function webhookInfoOf(answer: unknown): WebhookInfo {
  const a = answer as Wrapped;
  return a.webhook_info ?? a.webhook ?? a.info ?? a.telegram ?? a.result ?? a;
}

export function webhookLines(info: WebhookInfo): [string, string][] {
  return [
    ["url", info.url || "(not set)"],
    ["pending updates", String(info.pending_update_count ?? 0)],
    ["last error", info.last_error_message ? `${info.last_error_message} at ${formatTime(info.last_error_date)}` : "none"],
    ["max connections", info.max_connections === undefined ? "-" : String(info.max_connections)],
    ["allowed updates", info.allowed_updates?.length ? info.allowed_updates.join(", ") : "Telegram's default"],
  ];
}

export function keyValues(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(w + 1)}  ${v}`).join("\n");
}
