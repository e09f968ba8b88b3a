import { fileURLToPath } from "node:url";

/** The monorepo root (this file is tools/stack/src/repo-root.ts), whatever the caller's working directory. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");
