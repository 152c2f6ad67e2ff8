// Structured JSON logs. Anything that looks like a bot token or a bearer secret
// is masked before it is written, whatever the caller passed.

type Level = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

// A Telegram bot token: digits, a colon, then 30+ url-safe characters.
const BOT_TOKEN_RE = /\d{5,}:[A-Za-z0-9_-]{30,}/g;
const SECRET_KEYS = /token|secret|password|authorization|api_key|apikey|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(BOT_TOKEN_RE, "[redacted-token]");
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) && typeof v === "string" ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(base: LogFields = {}, sink: (line: string, level: Level) => void = defaultSink): Logger {
  const write = (level: Level, msg: string, fields?: LogFields) => {
    const record = redact({ level, msg, time: new Date().toISOString(), ...base, ...fields });
    sink(JSON.stringify(record), level);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

function defaultSink(line: string, level: Level) {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
