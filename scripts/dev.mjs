#!/usr/bin/env node
// `npm run dev`: the whole local platform in one command.
//  1. creates .dev.vars from .dev.vars.example when it is missing (values already in the
//     environment, e.g. ADMIN_API_TOKEN, win over the example's defaults);
//  2. applies the D1 migrations to the local database;
//  3. makes sure the local staff login (DEV_ADMIN_USERNAME / DEV_ADMIN_PASSWORD) exists;
//  4. runs `wrangler dev` on 127.0.0.1:8787 (extra arguments are passed to wrangler).
import { spawn } from "node:child_process";
import { applyMigrations, ensureDevVars, ensureStaffAdmin, wranglerJs } from "./lib/local.mjs";

const vars = ensureDevVars();

console.log("applying D1 migrations to the local database...");
applyMigrations();

if (vars.DEV_ADMIN_USERNAME && vars.DEV_ADMIN_PASSWORD) {
  ensureStaffAdmin(vars.DEV_ADMIN_USERNAME, vars.DEV_ADMIN_PASSWORD);
  console.log(`staff login: ${vars.DEV_ADMIN_USERNAME} (password: DEV_ADMIN_PASSWORD in .dev.vars)`);
}

const args = ["dev", "--ip", "127.0.0.1", "--port", process.env.PORT ?? "8787", ...process.argv.slice(2)];
console.log(`wrangler ${args.join(" ")}`);
const child = spawn(process.execPath, [wranglerJs, ...args], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
