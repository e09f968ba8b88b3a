import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root: the nearest folder above this file holding `pnpm-workspace.yaml`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pnpm-workspace.yaml not found above tools/eval");
    dir = parent;
  }
  return dir;
}

/** A path given relative to the repository root (e.g. `../shared/datasets/cranfield`), made absolute. */
export function repoPath(relative: string): string {
  return resolve(repoRoot(), relative);
}
