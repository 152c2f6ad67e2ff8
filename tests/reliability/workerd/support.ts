// Shared by the workerd reliability suites: bots set up through the API (webhook secret
// read back from the msw fake), every answer and console line kept, and the search of
// all of it for the secrets the run used.
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { FakeTelegram } from "../../helpers/fake-telegram";
import { setupBot, type TestBot } from "../../integration/webhook-support";

/** The real console.info, kept before any capture: for the suites' own figures. */
export const print: (...args: unknown[]) => void = console.info.bind(console);

/** Everything the Worker printed (console.log/info/warn/error/debug) since capture(). */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const spies = methods.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : safeString(a))).join(" "));
    }),
  );
  return {
    lines,
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

function safeString(v: unknown): string {
  try {
    return v instanceof Error ? `${v.name}: ${v.message} ${v.stack ?? ""}` : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** A bot with a realistic id (the log masking looks for 5+ digit ids) and its webhook set. */
export async function realisticBot(fake: FakeTelegram, tgId: number, username: string): Promise<TestBot> {
  return setupBot(fake, tgId, username);
}

/** The secrets of the workerd test environment plus the bots' tokens and webhook secrets. */
export function secretsOf(bots: TestBot[], extra: Record<string, string> = {}): Record<string, string> {
  const s: Record<string, string> = {
    ADMIN_API_TOKEN: env.ADMIN_API_TOKEN ?? "",
    TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY ?? "",
    OPENAI_API_KEY: env.OPENAI_API_KEY ?? "",
    GEMINI_API_KEY: env.GEMINI_API_KEY ?? "",
    ...extra,
  };
  for (const b of bots) {
    s[`token of bot ${b.id}`] = b.token;
    s[`webhook secret of bot ${b.id}`] = b.secret;
  }
  return s;
}

export function leakedSecrets(texts: string[], secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => v && texts.some((t) => t.includes(v)))
    .map(([k]) => k);
}

export async function countOf(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return Number(row?.n ?? 0);
}
