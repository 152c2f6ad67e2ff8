// The CLI's own behaviour that needs no Worker: help, argument checks, tables, token lookup.
// (Node-only, so it lives with the e2e tests rather than in tests/unit, which runs in workerd.)
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../cli/commands";
import { resolveToken } from "../../cli/config";
import { table } from "../../cli/output";
import { run } from "../../cli/run";

function collector() {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return { stream, text: () => text };
}

/** Runs the CLI in-process against `env`, answering whatever `stdin` says. */
async function tgp(args: string[], env: NodeJS.ProcessEnv = {}, cwd = mkdtempSync(join(tmpdir(), "tgp-cwd-"))) {
  const out = collector();
  const err = collector();
  const stdin = new PassThrough();
  stdin.end();
  const code = await run(args, { stdout: out.stream, stderr: err.stream, stdin, env, cwd });
  return { code, stdout: out.text(), stderr: err.text() };
}

// A stand-in API that records what the CLI asked for.
let server: Server;
let url: string;
const seen: { method: string; path: string; auth?: string; body: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/api/bots") {
        res.end(
          JSON.stringify({
            count: 1,
            results: [{ id: 7, name: "shop", username: "shop_bot", is_active: true, webhook_url: null, created_at: 0 }],
          }),
        );
      } else if (req.url?.startsWith("/telegram/bot/7/chat/-1001/stats/")) {
        res.end(
          JSON.stringify({
            bot_id: 7,
            chat_id: -1001,
            type: "supergroup",
            title: "G",
            member_count: 5,
            admin_count: 1,
            bot_role: "member",
            collected_at: 0,
            error: null,
          }),
        );
      } else if (req.method === "POST" && req.url === "/api/tokens") {
        res.statusCode = 201;
        const b = JSON.parse(body) as { name: string; role: string };
        res.end(JSON.stringify({ id: 4, name: b.name, role: b.role, prefix: "tgp_abcdef", active: true, token: "tgp_the-secret-once" }));
      } else if (req.url === "/api/staff" && req.method === "GET") {
        res.end(JSON.stringify({ count: 1, results: [{ id: 3, username: "maria", role: "staff", is_active: true, last_login_at: null }] }));
      } else if (req.url === "/api/staff/3" && req.method === "PATCH") {
        res.end(JSON.stringify({ id: 3, username: "maria", role: "staff", is_active: false, ...JSON.parse(body) }));
      } else if (req.url === "/api/bots/7/commands/sync" && req.method === "POST") {
        const force = (JSON.parse(body || "{}") as { force?: boolean }).force === true;
        const errors = force ? [{ scope: "all_group_chats", lang: "ru", error: "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID" }] : [];
        res.end(JSON.stringify({ bot_id: 7, sync: { ok: !force, calls: force ? 8 : 2, skipped: force ? 0 : 6, errors }, status: {} }));
      } else if (req.url === "/api/tokens/9" && req.method === "DELETE") {
        res.statusCode = 403;
        res.end(JSON.stringify({ error: { code: "FORBIDDEN", message: "A staff may not do this" } }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: `No route for ${req.method} ${req.url}` } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("tgp CLI", () => {
  it("has --help for every command, and a command list", async () => {
    const main = await tgp(["--help"]);
    expect(main.code).toBe(0);
    for (const c of COMMANDS) {
      expect(main.stdout).toContain(c.name);
      const help = await tgp([...c.name.split(" "), "--help"]);
      expect(help.code, c.name).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: tgp ${c.name}`));
      expect(help.stdout).toContain("--url URL");
    }
  });

  it("rejects bad command lines with exit 2 and nothing on stdout", async () => {
    for (const args of [
      [],
      ["nope"],
      ["webhook", "frobnicate", "x"],
      ["setup-bot", "only-name"],
      ["bots", "list", "--bogus"],
      ["bots", "list", "--format", "xml"],
    ]) {
      const r = await tgp(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });

  it("takes negative chat ids as arguments and option values", async () => {
    seen.length = 0;
    const r = await tgp([
      "get-channel-stats",
      "--bot-name",
      "shop",
      "--chat-id",
      "-1001",
      "--format",
      "json",
      "--url",
      url,
      "--token",
      "t0k",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).bots[0]).toMatchObject({ bot_name: "shop", chat_id: -1001, member_count: 5 });
    expect(seen.map((s) => s.path)).toEqual(["/api/bots", "/telegram/bot/7/chat/-1001/stats/"]);
    expect(seen.every((s) => s.auth === "Bearer t0k")).toBe(true);
  });

  it("prints the server's error message on stderr with exit 1", async () => {
    const r = await tgp(["webhook", "info", "shop", "--url", url, "--token", "t"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No route for GET \/telegram\/webhook\/7\/info\/ \(HTTP 404 NOT_FOUND\)/);
  });

  it("creates a token (printed once), changes staff by username, and exits 1 on a refusal, 2 on usage, 3 unreachable", async () => {
    seen.length = 0;
    const g = ["--url", url, "--token", "t"];
    const created = await tgp(["tokens", "create", "reports", "--role", "viewer", ...g]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("tgp_the-secret-once");
    expect(JSON.parse(seen[0]?.body ?? "{}")).toEqual({ name: "reports", role: "viewer" });
    expect((await tgp(["tokens", "create", "reports", ...g])).code).toBe(2); // --role is required
    expect((await tgp(["tokens", "create", "reports", "--role", "root", ...g])).code).toBe(2);
    const off = await tgp(["staff", "deactivate", "maria", ...g]);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/maria \(#3\) deactivated/);
    expect(seen.at(-1)).toMatchObject({ method: "PATCH", path: "/api/staff/3", body: JSON.stringify({ is_active: false }) });
    const pw = await tgp(["staff", "password", "3", "--password", "a-new-password", ...g]);
    expect(pw.code).toBe(0);
    expect(pw.stdout).not.toContain("a-new-password");
    expect((await tgp(["staff", "delete", "nobody", ...g])).code).toBe(2);
    const refused = await tgp(["tokens", "revoke", "9", ...g]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("HTTP 403 FORBIDDEN");
    expect((await tgp(["tokens", "list", "--url", "http://127.0.0.1:9", "--token", "t"])).code).toBe(3);
  });

  it("commands sync asks for the changed menus (all with --force) and exits 1 when Telegram refused one", async () => {
    seen.length = 0;
    const ok = await tgp(["commands", "sync", "shop", "--url", url, "--token", "t"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("✓ command menus of shop (#7): 2 sent, 6 already up to date");
    expect(seen.find((s) => s.path === "/api/bots/7/commands/sync")?.body).toBe("{}");
    const forced = await tgp(["commands", "sync", "shop", "--force", "--url", url, "--token", "t"]);
    expect(forced.code).toBe(1);
    expect(forced.stdout).toMatch(/✗ all_group_chats \(ru\): Bad Request: BOT_COMMAND_DESCRIPTION_INVALID/);
    expect(seen.filter((s) => s.path === "/api/bots/7/commands/sync").at(-1)?.body).toBe('{"force":true}');
  });

  it("finds the token in --token, then ADMIN_API_TOKEN, then .dev.vars for a local URL only", () => {
    const cwd = mkdtempSync(join(tmpdir(), "tgp-vars-"));
    writeFileSync(join(cwd, ".dev.vars"), "# local\nADMIN_API_TOKEN=from-dev-vars\n");
    expect(resolveToken({ flag: "flag", env: { ADMIN_API_TOKEN: "env" }, url: "http://127.0.0.1:8787", cwd })).toBe("flag");
    expect(resolveToken({ env: { ADMIN_API_TOKEN: "env" }, url: "http://127.0.0.1:8787", cwd })).toBe("env");
    expect(resolveToken({ env: {}, url: "http://localhost:8787", cwd })).toBe("from-dev-vars");
    expect(resolveToken({ env: {}, url: "https://platform.example.com", cwd })).toBeUndefined();
  });

  it("aligns table columns, right-aligning numbers and cutting long cells", () => {
    const t = table(
      [{ header: "ID", right: true }, { header: "NAME", max: 8 }, { header: "NOTE" }],
      [
        [7, "short", null],
        [1234, "a very long name", "x"],
      ],
    );
    expect(t.split("\n")).toEqual(["  ID  NAME      NOTE", "   7  short     -", "1234  a very …  x"]);
  });
});
