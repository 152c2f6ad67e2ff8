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
          // Test values only; the Telegram and AI hosts below are faked with msw.
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
          },
        },
      }),
    ],
    test: {
      include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
      setupFiles: ["./tests/helpers/apply-migrations.ts"],
    },
  };
});
