import { cp } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  // Workspace packages are TypeScript source: bundle them; keep npm packages (native onnxruntime among them) external.
  noExternal: [/^@hybrid\//],
  async onSuccess() {
    await cp("src/public", "dist/public", { recursive: true });
  },
});
