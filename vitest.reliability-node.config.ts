// The reliability suites that need a real HTTP surface (tests/reliability/*.test.ts) run
// in Node against `wrangler dev`; the workerd ones use vitest.reliability.config.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/reliability/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 180_000,
    // One wrangler dev at a time: the storm alone keeps two cores busy.
    fileParallelism: false,
  },
});
