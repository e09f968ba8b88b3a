import { cp } from "node:fs/promises";
import { defineConfig } from "tsup";
import { serviceBundle } from "../service-bundle.js";

export default defineConfig({
  ...serviceBundle,
  entry: ["src/main.ts"],
  // Workspace packages are TypeScript source: bundle them. Every npm package stays external (onnxruntime-node and the
  // tokenizers are native); the ones the bundled workspace code needs are listed in this package's dependencies.
  noExternal: [/^@hybrid\//],
  external: [/^[^./@]/, /^@(?!hybrid\/)/],
  async onSuccess() {
    await cp("src/public", "dist/public", { recursive: true });
  },
});
