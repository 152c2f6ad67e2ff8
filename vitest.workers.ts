// The workerd side shared by vitest.config.ts and vitest.reliability.config.ts: the Worker's
// own wrangler.toml, the D1 migrations for the setup file, and test-only bindings (the
// Telegram and AI hosts below are faked with msw; the secrets are test values).
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

export async function workersPlugin(extraBindings: Record<string, string> = {}) {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        TEST_MIGRATIONS: migrations,
        TELEGRAM_API_BASE: "https://telegram.test",
        OPENAI_BASE_URL: "https://openai.test/v1",
        GEMINI_BASE_URL: "https://gemini.test",
        PUBLIC_BASE_URL: "https://platform.test",
        ADMIN_API_TOKEN: "test-admin-token-0123456789",
        TOKEN_ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef",
        OPENAI_API_KEY: "sk-test-openai",
        GEMINI_API_KEY: "test-gemini-key",
        ...extraBindings,
      },
    },
  });
}
