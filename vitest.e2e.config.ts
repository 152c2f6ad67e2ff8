// End-to-end and browser tests run in Node against `wrangler dev` (tests/helpers/wrangler-dev.ts),
// not inside workerd: they exercise the real HTTP surface the way Telegram, staff and operators do.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts", "tests/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file starts its own wrangler dev; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
