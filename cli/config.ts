// Where the CLI talks to and with which token.
// Token: --token, else $ADMIN_API_TOKEN, else (only for a local URL) ADMIN_API_TOKEN from
// ./.dev.vars (the file `npm run dev` creates), looked up in the current directory and then
// in the project the CLI belongs to.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const DEFAULT_URL = "http://127.0.0.1:8787";

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

export function isLocalUrl(url: string): boolean {
  try {
    return LOCAL_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export function readDevVarsToken(cwd: string): string | undefined {
  const candidates = [join(cwd, ".dev.vars"), resolve(import.meta.dirname, "..", ".dev.vars")];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const m = /^\s*ADMIN_API_TOKEN\s*=\s*(.*?)\s*$/.exec(line);
      if (m?.[1]) return m[1].replace(/^"(.*)"$/, "$1");
    }
  }
  return undefined;
}

export function resolveToken(opts: { flag?: string; env: NodeJS.ProcessEnv; url: string; cwd: string }): string | undefined {
  if (opts.flag) return opts.flag;
  if (opts.env.ADMIN_API_TOKEN) return opts.env.ADMIN_API_TOKEN;
  return isLocalUrl(opts.url) ? readDevVarsToken(opts.cwd) : undefined;
}
