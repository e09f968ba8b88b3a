import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts"] } },
      {
        // The whole `pnpm eval` command as a child process on Cranfield: it starts the stack (Redis, the Qdrant local
        // mode, producer, workers, query API) and embeds 1,400 documents, so minutes on a shared 2-core machine.
        test: { name: "e2e", include: ["test/**/*.test.ts"], fileParallelism: false, hookTimeout: 900_000 },
      },
    ],
  },
});
