// Runs the operators' CLI as a user would (a child process through its bin), asynchronously:
// the fake Bot API lives in the test's own process and must keep answering meanwhile.
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../../..");
const bin = resolve(root, "cli/bin.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { url: string; token?: string; stdin?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((res, rej) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TGP_URL: opts.url, ...opts.env };
    if (opts.token === undefined) delete env.ADMIN_API_TOKEN;
    else env.ADMIN_API_TOKEN = opts.token;
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}
