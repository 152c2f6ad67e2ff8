// The reliability suites that run inside workerd (tests/reliability/workerd): the same
// bindings and migrations as vitest.config.ts (Telegram and the AI hosts faked with msw),
// plus the bad-input suite's size. The suites that need wrangler dev run in Node with
// vitest.reliability-node.config.ts.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
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
            // How many mutated bodies the bad-input suite sends (RELIABILITY_BAD_INPUTS, default 10,000).
            RELIABILITY_BAD_INPUTS: process.env.RELIABILITY_BAD_INPUTS ?? "10000",
          },
        },
      }),
    ],
    test: {
      include: ["tests/reliability/workerd/**/*.test.ts"],
      setupFiles: ["./tests/helpers/apply-migrations.ts"],
      testTimeout: 300_000,
      hookTimeout: 60_000,
    },
  };
});
