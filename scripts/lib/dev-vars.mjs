// Small helpers shared by the local scripts (dev server, demo, e2e).
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** Parses a .dev.vars file (KEY=value lines; # comments). */
export function readDevVars(path) {
  const out = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** The same format as src/lib/crypto.ts hashPassword: pbkdf2-sha256$iterations$salt$hash. */
export function hashPasswordSync(password, iterations = 100_000) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export function sqlString(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}
