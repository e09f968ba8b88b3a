import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

// Benchmarks of whole stacks (minutes): run on demand, never with the test suite.
export default mergeConfig(
  base,
  defineConfig({ test: { include: ["bench/**/*.test.ts"], testTimeout: 1_200_000 } }),
);
