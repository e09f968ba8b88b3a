import { copyFile, readdir } from "node:fs/promises";
import { defineConfig } from "tsup";

// The queue package reads its progress scripts from .lua files beside its module; bundled, that is beside main.js.
const LUA_DIR = "../../packages/queue/src/progress";

export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  // Workspace packages are TypeScript source: bundle them. Native and heavy runtime packages stay external.
  noExternal: [/^@hybrid\//],
  external: ["onnxruntime-node", "fastembed", "@anush008/tokenizers", "msgpackr-extract", "pino-pretty"],
  async onSuccess() {
    for (const file of await readdir(LUA_DIR)) {
      if (file.endsWith(".lua")) await copyFile(`${LUA_DIR}/${file}`, `dist/${file}`);
    }
  },
  // Bundled CommonJS code may still call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
});
