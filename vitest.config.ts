// Unit and integration tests inside workerd, against real local D1, KV and Durable Objects.
import { defineConfig } from "vitest/config";
import { workersPlugin } from "./vitest.workers";

export default defineConfig(async () => ({
  plugins: [await workersPlugin()],
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    setupFiles: ["./tests/helpers/apply-migrations.ts", "./tests/helpers/settle-background.ts"],
  },
}));
