import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddingModel, FlagEmbedding } from "fastembed";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGraphModel, OnnxType } from "../test/onnx-graph.js";
import { TINY_CLS_ID, TINY_SEP_ID, type TinyDenseModel, writeTinyDenseModel } from "../test/tiny-models.js";
import { createDenseEncoder, describeDenseModel } from "./dense-encoder.js";

const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
const TEXTS = [
  "alpha",
  "gamma delta epsilon zeta eta theta alpha beta gamma delta",
  "beta gamma",
  "theta",
  "epsilon zeta eta",
];

let root: string;
let tokenModel: TinyDenseModel;
let pooledModel: TinyDenseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "dense-encoder-"));
  tokenModel = await writeTinyDenseModel(join(root, "token"), { words: WORDS, dim: 4, output: "token" });
  pooledModel = await writeTinyDenseModel(join(root, "pooled"), {
    words: WORDS,
    dim: 4,
    output: "pooled",
    seed: 7,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Reference: mean of the table rows of [CLS] words [SEP], then L2-normalised. */
function expectedMean(model: TinyDenseModel, text: string): number[] {
  const ids = [TINY_CLS_ID, ...text.split(" ").map((w) => model.vocab.get(w) ?? 1), TINY_SEP_ID];
  const sum = new Array<number>(model.dim).fill(0);
  for (const id of ids)
    for (let d = 0; d < model.dim; d++) sum[d] = (sum[d] ?? 0) + (model.table[id * model.dim + d] ?? 0);
  const norm = Math.hypot(...sum);
  return sum.map((v) => v / norm);
}

function expectVectorsClose(actual: number[][], expected: number[][], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, row] of actual.entries()) {
    expect(row).toHaveLength(expected[i]?.length ?? -1);
    for (const [d, v] of row.entries()) expect(v).toBeCloseTo(expected[i]?.[d] ?? Number.NaN, digits);
  }
}

describe("dense encoder on a tiny token-level model (last_hidden_state = table[input_ids])", () => {
  it("mean-pools over attended positions: a value computed by hand", async () => {
    const encoder = await createDenseEncoder({ model: tokenModel.dir, cacheDir: root, onnxThreads: 1 });
    try {
      // "alpha" -> [CLS] alpha [SEP] = rows 2, 4, 3 of the table.
      const rows = [2, 4, 3].map((id) => Array.from(tokenModel.table.subarray(id * 4, id * 4 + 4)));
      const mean = [0, 1, 2, 3].map((d) => rows.reduce((s, r) => s + (r[d] ?? 0), 0) / 3);
      const norm = Math.hypot(...mean);
      expectVectorsClose([await encoder.embedQuery("alpha")], [mean.map((v) => v / norm)]);
      expect(encoder.dim).toBe(4);
      expect(encoder.distance).toBe("Cosine");
    } finally {
      await encoder.close();
    }
  });

  it("padding does not change vectors: each text alone equals the same text in a batch with longer ones", async () => {
    const encoder = await createDenseEncoder({ model: tokenModel.dir, cacheDir: root, onnxThreads: 1 });
    try {
      const batched = await encoder.embedDocuments(TEXTS);
      const alone = await Promise.all(TEXTS.map(async (t) => (await encoder.embedDocuments([t]))[0] ?? []));
      expectVectorsClose(batched, alone);
      expectVectorsClose(
        batched,
        TEXTS.map((t) => expectedMean(tokenModel, t)),
      );
    } finally {
      await encoder.close();
    }
  });

  it("restores input order across length-sorted batches of at most 2 texts", async () => {
    const encoder = await createDenseEncoder({
      model: tokenModel.dir,
      cacheDir: root,
      onnxThreads: 1,
      limits: { maxBatch: 2 },
    });
    try {
      expectVectorsClose(
        await encoder.embedDocuments(TEXTS),
        TEXTS.map((t) => expectedMean(tokenModel, t)),
      );
      expect(await encoder.embedDocuments([])).toEqual([]);
    } finally {
      await encoder.close();
    }
  });

  it("fastembed 2.1.0's embed() returns the first token's state instead (why pooling is done here)", async () => {
    const fastembed = await FlagEmbedding.init({
      model: EmbeddingModel.CUSTOM,
      modelAbsoluteDirPath: tokenModel.dir,
      modelName: "model.onnx",
      showDownloadProgress: false,
    });
    const batches: number[][][] = [];
    for await (const batch of fastembed.embed(["alpha", "beta gamma"]))
      batches.push(batch.map((v) => Array.from(v)));
    const cls = Array.from(tokenModel.table.subarray(TINY_CLS_ID * 4, TINY_CLS_ID * 4 + 4));
    const norm = Math.hypot(...cls);
    const clsVector = cls.map((v) => v / norm);
    expectVectorsClose(batches.flat(), [clsVector, clsVector]);
    expect(clsVector).not.toEqual(expectedMean(tokenModel, "alpha"));
  });
});

describe("dense encoder on a tiny self-pooling model (sentence_embedding = masked mean, like the offline model)", () => {
  it("feeds the attention mask: batched equals alone equals the masked mean", async () => {
    const encoder = await createDenseEncoder({ model: pooledModel.dir, cacheDir: root, onnxThreads: 1 });
    try {
      const batched = await encoder.embedDocuments(TEXTS);
      const alone = await Promise.all(TEXTS.map((t) => encoder.embedQuery(t)));
      expectVectorsClose(batched, alone);
      expectVectorsClose(
        batched,
        TEXTS.map((t) => expectedMean(pooledModel, t)),
      );
    } finally {
      await encoder.close();
    }
  });
});

describe("catalogue models from the cache directory", () => {
  it("loads all-MiniLM-L6-v2 from fastembed's cache layout and fails at start on a dimension mismatch", async () => {
    const cacheDir = join(root, "cache-mismatch");
    await writeTinyDenseModel(join(cacheDir, "fast-all-MiniLM-L6-v2"), {
      words: WORDS,
      dim: 4,
      output: "token",
    });
    await expect(
      createDenseEncoder({ model: "sentence-transformers/all-MiniLM-L6-v2", cacheDir, onnxThreads: 1 }),
    ).rejects.toThrow(/outputs 4 dimensions, the catalogue says 384/);
  });

  it("uses CLS pooling for bge-small-en-v1.5 (model_optimized.onnx)", async () => {
    const cacheDir = join(root, "cache-bge");
    const dir = join(cacheDir, "fast-bge-small-en-v1.5");
    const model = await writeTinyDenseModel(dir, { words: WORDS, dim: 384, output: "token" });
    const { rename } = await import("node:fs/promises");
    await rename(join(dir, "model.onnx"), join(dir, "model_optimized.onnx"));
    const encoder = await createDenseEncoder({ model: "BAAI/bge-small-en-v1.5", cacheDir, onnxThreads: 1 });
    try {
      const cls = Array.from(model.table.subarray(TINY_CLS_ID * 384, (TINY_CLS_ID + 1) * 384));
      const norm = Math.hypot(...cls);
      expectVectorsClose(await encoder.embedDocuments(["alpha beta"]), [cls.map((v) => v / norm)]);
      expect(encoder.dim).toBe(384);
    } finally {
      await encoder.close();
    }
  });

  it("describes catalogue models without loading or downloading anything", async () => {
    const cacheDir = join(root, "never-created");
    expect(await describeDenseModel("sentence-transformers/all-MiniLM-L6-v2", cacheDir)).toEqual({
      name: "sentence-transformers/all-MiniLM-L6-v2",
      dim: 384,
      distance: "Cosine",
    });
    expect((await describeDenseModel("BAAI/bge-small-en-v1.5", cacheDir)).dim).toBe(384);
    expect((await describeDenseModel("offline/use-lite", cacheDir)).dim).toBe(512);
    const { existsSync } = await import("node:fs");
    expect(existsSync(cacheDir)).toBe(false);
    expect(await describeDenseModel(tokenModel.dir, cacheDir)).toEqual({
      name: tokenModel.dir,
      dim: 4,
      distance: "Cosine",
    });
    await expect(describeDenseModel("no-such/model", cacheDir)).rejects.toThrow(
      /unknown dense model "no-such\/model"/,
    );
  });
});

describe("bad model directories", () => {
  it("says what is missing or wrong", async () => {
    const empty = join(root, "empty-model");
    await mkdir(empty, { recursive: true });
    await expect(createDenseEncoder({ model: empty, cacheDir: root, onnxThreads: 1 })).rejects.toThrow(
      `dense model "${empty}": ${join(empty, "model.onnx")} does not exist`,
    );
    const noIds = join(root, "no-input-ids");
    await writeTinyDenseModel(noIds, { words: WORDS, dim: 4, output: "token" });
    await writeFile(
      join(noIds, "model.onnx"),
      encodeGraphModel({
        inputs: [{ name: "x", type: OnnxType.float, dims: [1] }],
        outputs: [{ name: "last_hidden_state", type: OnnxType.float, dims: [1] }],
        nodes: [{ op: "Identity", inputs: ["x"], outputs: ["last_hidden_state"] }],
      }),
    );
    await expect(createDenseEncoder({ model: noIds, cacheDir: root, onnxThreads: 1 })).rejects.toThrow(
      /cannot load ONNX model .*no-input-ids\/model.onnx: the model has no input_ids input \(inputs: x\)/,
    );
  });
});
