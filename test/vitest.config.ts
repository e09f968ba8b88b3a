import { defineConfig } from "vitest/config";

// End-to-end tests start real processes (services load ONNX models, Redis restarts, stacks come up), so timeouts are generous
// and files run one at a time: on a 2-core machine parallel files only slow each other down and trip readiness deadlines.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    pool: "forks",
    setupFiles: ["./src/harness/vitest-setup.ts"],
  },
});
