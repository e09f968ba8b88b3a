import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          testTimeout: 15_000,
        },
      },
      {
        // End to end: the real models, the Qdrant local mode seeded once (global setup), the service over HTTP,
        // a child process of the service and Chromium. One file at a time: the machine is shared.
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
