import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // One file at a time: the e2e files load ONNX models and start servers; the machine is shared.
    fileParallelism: false,
  },
});
