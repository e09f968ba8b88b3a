import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/main.ts", "src/cli.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  // Workspace packages are TypeScript source: bundle them. Native modules (and what loads them) stay external.
  noExternal: [/^@hybrid\//],
  external: ["onnxruntime-node", "fastembed", "@anush008/tokenizers", "msgpackr-extract", "pino-pretty"],
  // Bundled CommonJS code may still call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
});
