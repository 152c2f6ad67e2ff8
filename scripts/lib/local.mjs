// What `npm run dev` and `npm run demo` share: wrangler on this very Node, the local
// .dev.vars, and the local staff login.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashPasswordSync, readDevVars, sqlString } from "./dev-vars.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

// Run wrangler on this very Node (the `node` devDependency under `npm run`), whatever the machine has,
// and never ask the internet for anything at run time: no Request.cf download, no telemetry.
process.chdir(root);
process.env.PATH = `${join(root, "node_modules", ".bin")}:${process.env.PATH}`;
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";

/** Runs a wrangler command to completion; throws with its output when it fails. */
export function wrangler(args) {
  const r = spawnSync(process.execPath, [wranglerJs, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`wrangler ${args.join(" ")} failed (exit ${r.status})`);
  }
  return r.stdout;
}

/** Creates .dev.vars from .dev.vars.example when missing (values in the environment win), then reads it. */
export function ensureDevVars() {
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
  return readDevVars(".dev.vars");
}

/** Applies the D1 migrations to a local database (wrangler's default state, or persistTo). */
export function applyMigrations(persistTo) {
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])]);
}

/** Makes sure the local staff admin exists (an existing account is left as it is). */
export function ensureStaffAdmin(username, password, persistTo) {
  const sql = `INSERT OR IGNORE INTO staff_users (username, password_hash, role) VALUES (${sqlString(username)}, ${sqlString(hashPasswordSync(password))}, 'admin');`;
  wrangler(["d1", "execute", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : []), "--command", sql]);
}
