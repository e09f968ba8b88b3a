import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparseEmbeddingModel, SparseTextEmbedding } from "fastembed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TINY_CLS_ID, TINY_SEP_ID, type TinySparseModel, writeTinySparseModel } from "../test/tiny-models.js";
import type { SparseVector } from "./encoder.js";
import { createSpladeEncoder, spladeVector } from "./splade-encoder.js";

const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"];
const TEXTS = ["alpha", "beta gamma delta epsilon alpha beta gamma", "gamma delta", "epsilon"];
let root: string;
let model: TinySparseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "splade-"));
  // Identity embeddings: the logits of token id i are row i of the projection (9 tokens x 12 outputs).
  model = await writeTinySparseModel(join(root, "splade"), {
    words: WORDS,
    outputVocab: 12,
    hidden: 9,
    identity: true,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const files = () => ({ dir: model.dir, modelPath: join(model.dir, "onnx", "model.onnx") });

/** Reference: for each output entry, log(1 + relu(max over the text's tokens, [CLS] and [SEP] included)). */
function expected(text: string): SparseVector {
  const ids = [TINY_CLS_ID, ...text.split(" ").map((w) => model.vocab.get(w) ?? 1), TINY_SEP_ID];
  const vector: SparseVector = { indices: [], values: [] };
  for (let j = 0; j < model.outputVocab; j++) {
    const max = Math.max(...ids.map((id) => model.projection[id * model.outputVocab + j] ?? 0));
    if (max > 0) {
      vector.indices.push(j);
      vector.values.push(Math.log(1 + max));
    }
  }
  return vector;
}

function expectSparseClose(actual: SparseVector[], wanted: SparseVector[]): void {
  expect(actual.map((v) => v.indices)).toEqual(wanted.map((v) => v.indices));
  for (const [i, v] of actual.entries()) {
    for (const [k, x] of v.values.entries()) expect(x).toBeCloseTo(wanted[i]?.values[k] ?? Number.NaN, 6);
  }
}

describe("spladeVector", () => {
  it("keeps entries whose max logit is above zero, as log(1 + x)", () => {
    expect(spladeVector(Float32Array.from([0, -1, 1, 0.5, -0]))).toEqual({
      indices: [2, 3],
      values: [Math.log(2), Math.log(1.5)],
    });
  });
});

describe("SPLADE encoder on a tiny SPLADE-shaped model", () => {
  it("max-pools log(1 + relu(logits)) over attended positions: values computed by hand", async () => {
    const encoder = await createSpladeEncoder({ cacheDir: root, onnxThreads: 1, files: files() });
    try {
      // "alpha" -> [CLS] alpha [SEP] = projection rows 2, 4, 3.
      expectSparseClose([await encoder.embedQuery("alpha")], [expected("alpha")]);
      expect(encoder.modifier).toBe("none");
    } finally {
      await encoder.close();
    }
  });

  it("padding does not change vectors (batches of up to 4 vs one text each)", async () => {
    const encoder = await createSpladeEncoder({ cacheDir: root, onnxThreads: 1, files: files() });
    try {
      const batched = await encoder.embedDocuments(TEXTS);
      expectSparseClose(batched, TEXTS.map(expected));
      const alone = await Promise.all(TEXTS.map((t) => encoder.embedQuery(t)));
      expectSparseClose(batched, alone);
    } finally {
      await encoder.close();
    }
  });

  it("matches fastembed 2.1.0's SparseTextEmbedding loop (pads to 512, loops every position)", async () => {
    const fastembed = await SparseTextEmbedding.init({
      model: SparseEmbeddingModel.CUSTOM,
      modelAbsoluteDirPath: model.dir,
      modelName: "model.onnx",
      showDownloadProgress: false,
    });
    const theirs: SparseVector[] = [];
    for await (const batch of fastembed.embed(TEXTS, 4)) theirs.push(...batch);
    expectSparseClose(theirs, TEXTS.map(expected));
  });
});
