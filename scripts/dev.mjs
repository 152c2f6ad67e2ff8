#!/usr/bin/env node
// `npm run dev`: the whole local platform in one command.
//  1. creates .dev.vars from .dev.vars.example when it is missing (values already in the
//     environment, e.g. ADMIN_API_TOKEN, win over the example's defaults);
//  2. applies the D1 migrations to the local database;
//  3. makes sure the local staff login (DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD) exists;
//  4. runs `wrangler dev` on 127.0.0.1:8787 (extra arguments are passed to wrangler).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashPasswordSync, readDevVars, sqlString } from "./lib/dev-vars.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
// Run wrangler on this very Node (the `node` devDependency under `npm run`), whatever the machine has.
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
process.env.PATH = `${join(root, "node_modules", ".bin")}:${process.env.PATH}`;
// Nothing at run time may need the internet: no Request.cf download, no telemetry.
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";

function run(args, opts = {}) {
  const r = spawnSync(process.execPath, [wranglerJs, ...args], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...opts });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`wrangler ${args.join(" ")} failed (exit ${r.status})`);
  }
  return r.stdout;
}

if (!existsSync(".dev.vars")) {
  const lines = readFileSync(".dev.vars.example", "utf8")
    .split("\n")
    .map((line) => {
      const m = /^([A-Z0-9_]+)=/.exec(line);
      return m && process.env[m[1]] ? `${m[1]}=${process.env[m[1]]}` : line;
    });
  writeFileSync(".dev.vars", lines.join("\n"), { mode: 0o600 });
  console.log("created .dev.vars from .dev.vars.example");
}
const vars = readDevVars(".dev.vars");

console.log("applying D1 migrations to the local database...");
run(["d1", "migrations", "apply", "DB", "--local"], { env: { ...process.env, CI: "true" } });

if (vars.DEV_ADMIN_USERNAME && vars.DEV_ADMIN_PASSWORD) {
  const hash = hashPasswordSync(vars.DEV_ADMIN_PASSWORD);
  const sql = `INSERT OR IGNORE INTO staff_users (username, password_hash, role) VALUES (${sqlString(vars.DEV_ADMIN_USERNAME)}, ${sqlString(hash)}, 'admin');`;
  run(["d1", "execute", "DB", "--local", "--command", sql]);
  console.log(`staff login: ${vars.DEV_ADMIN_USERNAME} (password: DEV_ADMIN_PASSWORD in .dev.vars)`);
}

const args = ["dev", "--ip", "127.0.0.1", "--port", process.env.PORT ?? "8787", ...process.argv.slice(2)];
console.log(`wrangler ${args.join(" ")}`);
const child = spawn(process.execPath, [wranglerJs, ...args], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
