import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Tokenizer } from "@anush008/tokenizers";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { type GraphModel, loadGraphModel } from "@tensorflow/tfjs-converter";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOfflineModel } from "./ensure-offline-model.js";
import { PLAIN_SENTENCES } from "./sentences.fixture.js";
import { sourcePackageDir } from "./tfjs-model.js";
import { MAX_TOKENS } from "./tokenizer-json.js";

// A second reference: the same TF.js graph on TF.js's pure-JavaScript cpu backend. It runs in its own test file
// because @energetic-ai/core bundles another TF.js copy that shares TF.js's global engine.

let workDir: string;
let graph: GraphModel;
let session: ort.InferenceSession;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await tf.setBackend("cpu");
  const dist = path.join(sourcePackageDir(), "dist");
  const manifest = JSON.parse(await readFile(path.join(dist, "model.json"), "utf8"));
  const group = manifest.weightsManifest[0];
  const shards = await Promise.all(group.paths.map((p: string) => readFile(path.join(dist, p))));
  const weights = Buffer.concat(shards);
  graph = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: group.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
    }),
  );
  workDir = await mkdtemp(path.join(tmpdir(), "offline-model-cpu-"));
  const model = await ensureOfflineModel({ cacheDir: workDir });
  session = await ort.InferenceSession.create(model.modelPath, { intraOpNumThreads: 2 });
  tokenizer = Tokenizer.fromFile(model.tokenizerPath);
  tokenizer.setTruncation(MAX_TOKENS);
});

afterAll(async () => {
  graph?.dispose();
  await session?.release();
  await rm(workDir, { recursive: true, force: true });
});

/** What the TF.js runtime feeds the graph: sparse (row, position) indices and the ids. */
async function embedTfjs(rows: number[][]): Promise<number[][]> {
  const cells = rows.flatMap((row, r) => row.map((_, k) => [r, k]));
  const indices = tf.tensor2d(cells, [cells.length, 2], "int32");
  const values = tf.tensor1d(rows.flat(), "int32");
  const out = (await graph.executeAsync({ indices, values })) as tf.Tensor;
  const result = (await out.array()) as number[][];
  tf.dispose([indices, values, out]);
  return result;
}

async function embedOnnx(rows: number[][]): Promise<number[][]> {
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  for (const [r, row] of rows.entries()) {
    for (const [k, id] of row.entries()) {
      ids[r * width + k] = BigInt(id);
      mask[r * width + k] = 1n;
    }
  }
  const out = await session.run({
    input_ids: new ort.Tensor("int64", ids, [rows.length, width]),
    attention_mask: new ort.Tensor("int64", mask, [rows.length, width]),
  });
  const data = out.sentence_embedding?.data as Float32Array;
  return rows.map((_, r) => Array.from(data.subarray(r * 512, (r + 1) * 512)));
}

describe("ONNX model parity with TF.js's cpu backend", () => {
  it("matches per dimension within 1e-5 on short sentences (the pure-JS backend is slow)", async () => {
    const rows: number[][] = [];
    for (const text of PLAIN_SENTENCES) {
      const ids = Array.from((await tokenizer.encode(text, null)).getIds());
      if (ids.length > 0 && ids.length <= 16) rows.push(ids);
    }
    // Every third short sentence: plain words, digits, accents, other scripts, emoji, whitespace.
    const sample = rows.filter((_, k) => k % 3 === 0).slice(0, 16);
    expect(sample.length).toBe(16);
    let worst = 0;
    for (let start = 0; start < sample.length; start += 8) {
      const group = sample.slice(start, start + 8);
      const [want, got] = [await embedTfjs(group), await embedOnnx(group)];
      for (const [r, row] of got.entries()) {
        for (const [d, v] of row.entries())
          worst = Math.max(worst, Math.abs(v - (want[r]?.[d] ?? Number.NaN)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
