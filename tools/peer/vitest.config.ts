import { defineConfig } from "vitest/config";

// Unit tests only: the bench itself (pnpm bench) is minutes of work and needs pip, so it is not part of the tests.
export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
