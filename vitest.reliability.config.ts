// The reliability suites that run inside workerd (tests/reliability/workerd): the same
// bindings and migrations as vitest.config.ts, plus the bad-input suite's size. The suites
// that need wrangler dev run in Node with vitest.reliability-node.config.ts.
import { defineConfig } from "vitest/config";
import { workersPlugin } from "./vitest.workers";

export default defineConfig(async () => ({
  plugins: [
    // How many mutated bodies the bad-input suite sends (RELIABILITY_BAD_INPUTS, default 10,000).
    await workersPlugin({ RELIABILITY_BAD_INPUTS: process.env.RELIABILITY_BAD_INPUTS ?? "10000" }),
  ],
  test: {
    include: ["tests/reliability/workerd/**/*.test.ts"],
    setupFiles: ["./tests/helpers/apply-migrations.ts", "./tests/helpers/settle-background.ts"],
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
}));
