import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "evals/**/*.eval.ts"],
    globalSetup: ["test/globalSetup.ts"],
    // Integration tests talk to real PostgreSQL and real HTTP servers.
    // Generous: a hang guard, not a speed assertion (CLI tests spawn `aisle` processes on 2 cores).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" summary line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    // Two cores: more workers only add contention on the shared database server.
    maxWorkers: process.env.CI ? 2 : undefined,
  },
});
