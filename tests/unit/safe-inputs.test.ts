// The input rules shared by every surface: http(s)-only URLs, webhook URLs, LIKE-sized
// search terms, CSV cells that cannot start a formula, and a login `next` that stays on site.
import { describe, expect, it } from "vitest";
import {
  httpUrlProblem,
  inlineLinkProblem,
  isHttpUrl,
  safeHref,
  searchTermProblem,
  webhookUrlProblem,
  zFileRef,
} from "../../src/lib/validate";
import { safeNext } from "../../src/routes/auth-pages";
import { csvCell } from "../../src/routes/pages/csv";

describe("http(s)-only URLs", () => {
  it.each([
    ["https://example.com/a?b=c", true],
    ["http://example.com", true],
    ["javascript:alert(document.cookie)", false],
    ["JavaScript:alert(1)", false],
    [" javascript:alert(1)", false],
    ["data:text/html,<script>alert(1)</script>", false],
    ["vbscript:msgbox(1)", false],
    ["file:///etc/passwd", false],
    ["ftp://example.com/x", false],
    ["//example.com/x", false],
    ["/relative", false],
    ["https://", false],
  ])("%s -> %s", (url, ok) => {
    expect(isHttpUrl(url)).toBe(ok);
    expect(httpUrlProblem(url) === null).toBe(ok);
    expect(safeHref(url)).toBe(ok ? url : undefined);
  });

  it("names the refused scheme", () => {
    expect(httpUrlProblem("javascript:alert(1)")).toMatch(/javascript: links are not allowed/);
    expect(httpUrlProblem("data:text/html,x")).toMatch(/data: links are not allowed/);
  });

  it("a photo/document is a file_id or an http(s) URL", () => {
    expect(zFileRef.safeParse("AgACAgIAAxkBAAIB-_x").success).toBe(true);
    expect(zFileRef.safeParse("https://example.com/cat.jpg").success).toBe(true);
    for (const bad of ["javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd", "not a url"]) {
      expect(zFileRef.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe("inline links in texts sent with a parse mode", () => {
  it.each([
    ["plain text, no links", null],
    ["a footnote [1](see page 2: intro) in prose", null],
    ["[site](https://example.com/a) and [me](tg://user?id=42)", null],
    ['<a href="https://example.com">x</a>', null],
    ["[x](javascript:alert(1))", "javascript:"],
    ["[x]( JavaScript:alert(1))", "javascript:"],
    ["[x](java\tscript:alert(1))", "javascript:"],
    ["[x](data:text/html,hi)", "data:"],
    ['<a href="vbscript:msgbox(1)">x</a>', "vbscript:"],
    ["<a href='file:///etc/passwd'>x</a>", "file:"],
    ['<a href="&#106;avascript:alert(1)">x</a>', "javascript:"],
    ['<a href="javascript&colon;alert(1)">x</a>', "javascript:"],
  ])("%j", (text, scheme) => {
    const got = inlineLinkProblem(text);
    if (scheme === null) expect(got).toBeNull();
    else expect(got).toContain(`${scheme} links are not allowed`);
  });
});

describe("webhook URLs", () => {
  it.each([
    ["https://hooks.example.com/x/", null],
    ["http://127.0.0.1:8787/telegram/webhook/1/", null],
    ["http://localhost:8787/telegram/webhook/1/", null],
    ["http://[::1]:8787/x", null],
    ["http://platform.local:8080/telegram/webhook/1/", null],
    ["http://evil.localhost/x", "must be https"],
    ["http://hooks.example.com/x/", "must be https"],
    ["http://localhost.evil.example/x", "must be https"],
    ["http://127.0.0.1.evil.example/x", "must be https"],
    ["http://platform.local:9999/x", "must be https"],
    ["javascript:alert(1)", "javascript:"],
    ["file:///tmp/x", "file:"],
  ])("%s", (url, problem) => {
    const got = webhookUrlProblem(url, "http://platform.local:8080");
    if (problem === null) expect(got).toBeNull();
    else expect(got).toContain(problem);
  });
});

describe("search terms fit D1's 50-byte LIKE patterns", () => {
  it("48 ASCII bytes pass; 49 do not; escapes and multi-byte letters count", () => {
    expect(searchTermProblem("a".repeat(48))).toBeNull();
    expect(searchTermProblem("a".repeat(49))).toMatch(/too long/);
    expect(searchTermProblem("%".repeat(24))).toBeNull();
    expect(searchTermProblem("%".repeat(25))).toMatch(/too long/);
    expect(searchTermProblem("я".repeat(24))).toBeNull();
    expect(searchTermProblem("я".repeat(25))).toMatch(/too long/);
  });
});

describe("CSV cells", () => {
  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ["+1+2", "'+1+2"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", `"'\rx"`],
    ["plain", "plain"],
    ["a,b", `"a,b"`],
  ])("%j -> %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("numbers stay numbers (a negative chat id is not a formula)", () => {
    expect(csvCell(-1001234567890)).toBe("-1001234567890");
    expect(csvCell("-1001234567890")).toBe("-1001234567890");
    expect(csvCell(null)).toBe("");
  });
});

describe("the login next stays a same-site path", () => {
  it.each([
    ["/", "/"],
    ["/admin/bots/?page=2#x", "/admin/bots/?page=2#x"],
    ["/studio/social/telegram-stats/?q=a%20b", "/studio/social/telegram-stats/?q=a%20b"],
    [undefined, "/"],
    ["", "/"],
    ["//evil.example", "/"],
    ["///evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/\\/evil.example", "/"],
    ["/%09/evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/%0a/evil.example", "/"],
    ["/%0d%0a/evil.example", "/"],
    ["/%00", "/"],
    ["/%2F%2Fevil.example", "/"],
    ["/%2f%2fevil.example", "/"],
    ["/%252F%252Fevil.example", "/"],
    ["/%5Cevil.example", "/"],
    ["/%5cevil.example", "/"],
    ["https://evil.example", "/"],
    ["http:evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["evil.example", "/"],
    ["/./..//evil.example", "/"],
    ["/a/..//evil.example", "/"],
    ["/%E0%A4%A", "/"],
    ["/login", "/"],
    ["/login?next=/x", "/"],
  ])("%j -> %j", (raw, want) => {
    const got = safeNext(raw);
    expect(got).toBe(want);
    // Whatever comes out resolves to the same origin.
    expect(new URL(got, "https://platform.test").origin).toBe("https://platform.test");
  });

  it("refuses an absurdly long destination", () => {
    expect(safeNext(`/${"a".repeat(3000)}`)).toBe("/");
  });
});
