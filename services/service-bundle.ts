import { copyFile, readdir } from "node:fs/promises";

// What the services' tsup configs share. No import of tsup here: it is each service's own dependency, not the root's.

/** One ESM bundle per entry for Node 20, in `dist/` with source maps. */
export const serviceBundle = {
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
} as const;

/** Bundled CommonJS code may still call require() for Node built-ins. */
export const requireBanner = {
  js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
};

/** The queue package reads its progress scripts from .lua files beside its module; bundled, that is beside main.js. */
export async function copyQueueScripts(): Promise<void> {
  const luaDir = "../../packages/queue/src/progress";
  for (const file of await readdir(luaDir)) {
    if (file.endsWith(".lua")) await copyFile(`${luaDir}/${file}`, `dist/${file}`);
  }
}
