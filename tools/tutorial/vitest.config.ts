import { defineConfig } from "vitest/config";

// The tutorial test starts its command as a child process next to an in-process local mode.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
