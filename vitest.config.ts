import { defineConfig } from "vitest/config";
import { SlowFirstSequencer } from "./__tests__/support/slow-first-sequencer";

export default defineConfig({
  test: {
    // cdktf's Testing.setupJest() extends the global `expect`, so globals must be on.
    globals: true,
    // Test files share one module graph per worker: importing cdktf and the provider bindings once
    // instead of per file cuts the run by about two thirds. Files must restore what they change.
    isolate: false,
    // Two workers on a 2-core machine: the slowest files mostly wait on child processes
    // (terraform, a child vitest), so two run side by side in about the time of one.
    maxWorkers: 2,
    minWorkers: 1,
    // The seeder's tests make AWS SDK clients in the worker, as src/seed/cli.ts does after setting
    // this switch (the SDK's own, for its Node-version notice only); process-failures.test.ts
    // drops it again to check that the CLI sets it itself.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    setupFiles: ["__tests__/support/setup.ts"],
    // The slowest files first, also in a fresh clone with no cached durations.
    sequence: { sequencer: SlowFirstSequencer },
    // Prints once whether the real-Terraform tests run, and with which provider mirror.
    globalSetup: ["__tests__/support/report-terraform.ts"],
    include: ["__tests__/**/*.test.ts"],
    // The JSON report feeds the one-line summary that .ci/run prints.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-report.json" }]],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
