import { defineConfig } from "vitest/config";

// Generous timeouts: the suites start real servers and child processes on a shared 2-core machine.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
