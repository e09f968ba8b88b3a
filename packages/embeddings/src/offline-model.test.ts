import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEncoder } from "./create-encoder.js";
import type { HybridEncoder } from "./encoder.js";

const TEXTS = [
  "short one",
  "A much longer sentence about the development of cerebral white matter in newborns, measured by diffusion " +
    "tensor imaging over several weeks, with anisotropy rising as fibres myelinate.",
  "mid-length text, with punctuation!",
  "",
];

let cacheDir: string;
let encoder: HybridEncoder;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "offline-model-"));
  // Builds the offline model (USE Lite to ONNX, about a second) into the fresh cache, then loads it.
  encoder = await createEncoder({
    dense: "offline/use-lite",
    sparse: "Qdrant/bm25",
    cacheDir,
    onnxThreads: 1,
  });
}, 120_000);
afterAll(async () => {
  await encoder?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe("the offline model through this package", () => {
  it("gives unit-length 512-dimension vectors that padding does not change", async () => {
    expect(encoder.dense).toMatchObject({ model: "offline/use-lite", dim: 512, distance: "Cosine" });
    const batched = await encoder.encodeDocuments(TEXTS);
    const alone = await Promise.all(
      TEXTS.map(async (t) => (await encoder.dense.embedDocuments([t]))[0] ?? []),
    );
    let maxDiff = 0;
    for (const [i, { dense }] of batched.entries()) {
      expect(dense).toHaveLength(512);
      expect(Math.hypot(...dense)).toBeCloseTo(1, 6);
      for (const [d, v] of dense.entries())
        maxDiff = Math.max(maxDiff, Math.abs(v - (alone[i]?.[d] ?? Number.NaN)));
    }
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it("embeds a query as it embeds a document (the model has no prefixes)", async () => {
    const { dense } = await encoder.encodeQuery("diffusion tensor imaging");
    const [document] = await encoder.dense.embedDocuments(["diffusion tensor imaging"]);
    expect(dense).toEqual(document);
  });
});
