// Node-side helper for e2e and browser tests: starts `wrangler dev` on a free port
// with its own throwaway state directory (local D1/KV/DO), migrations applied, and the
// variables and secrets the test chooses. Never touches .wrangler/state or .dev.vars.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

export const TEST_SECRETS = {
  ADMIN_API_TOKEN: "e2e-admin-token-0123456789",
  TOKEN_ENCRYPTION_KEY: "e2e-encryption-key-0123456789abcdef",
  DEV_ADMIN_USERNAME: "admin",
  DEV_ADMIN_PASSWORD: "e2e-admin-password",
};

export interface WorkerHandle {
  url: string;
  port: number;
  stateDir: string;
  /** The wrangler process (workerd runs as its child). */
  pid: number | undefined;
  /** Everything wrangler printed so far (the Worker's console included). */
  logs(): string;
  /** Runs SQL against this Worker's local D1 (via wrangler d1 execute). */
  sql(command: string): unknown[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

function wrangler(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [wranglerJs, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", ...env },
  });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface StartOptions {
  /** Variables and secrets for the Worker (merged over TEST_SECRETS). */
  vars?: Record<string, string>;
  port?: number;
  /** SQL run against the local D1 after the migrations, before the Worker starts. */
  seedSql?: string;
  timeoutMs?: number;
}

export async function startWorker(opts: StartOptions = {}): Promise<WorkerHandle> {
  const stateDir = mkdtempSync(join(tmpdir(), "tgp-state-"));
  const port = opts.port ?? (await freePort());
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir]);
  if (opts.seedSql) {
    const file = join(stateDir, "seed.sql");
    writeFileSync(file, opts.seedSql);
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--file", file]);
  }
  // Secrets go through an env file of our own so a developer's .dev.vars never leaks in.
  const envFile = join(stateDir, "test.env");
  const vars = { ...TEST_SECRETS, ...opts.vars };
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );

  const args = [wranglerJs, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", stateDir, "--env-file", envFile];
  args.push("--show-interactive-dev-session=false", "--inspector-port", String(await freePort()));
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not become ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    stateDir,
    pid: child.pid,
    logs: () => output,
    sql: (command) => {
      const out = wrangler(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", "--command", command]);
      const parsed = JSON.parse(out) as { results: unknown[] }[];
      return parsed.flatMap((p) => p.results);
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            r(undefined);
          }, 5000);
          child.once("exit", () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
