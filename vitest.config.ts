import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // cdktf's Testing.setupJest() extends the global `expect`, so globals must be on.
    globals: true,
    setupFiles: ["__tests__/support/setup.ts"],
    include: ["__tests__/**/*.test.ts"],
    // The JSON report feeds the one-line summary that .ci/run prints.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-report.json" }]],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
