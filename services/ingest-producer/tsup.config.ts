import { defineConfig } from "tsup";
import { copyQueueScripts, requireBanner, serviceBundle } from "../service-bundle.js";

export default defineConfig({
  ...serviceBundle,
  entry: ["src/main.ts", "src/cli.ts"],
  // Workspace packages are TypeScript source: bundle them. Native modules (and what loads them) stay external.
  noExternal: [/^@hybrid\//],
  external: ["onnxruntime-node", "fastembed", "@anush008/tokenizers", "msgpackr-extract", "pino-pretty"],
  onSuccess: copyQueueScripts,
  banner: requireBanner,
});
