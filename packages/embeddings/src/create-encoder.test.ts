import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TinyDenseModel, writeTinyDenseModel } from "../test/tiny-models.js";
import { bm25Document, bm25Query } from "./bm25.js";
import { sparseModifierOf } from "./catalogue.js";
import { createEncoder } from "./create-encoder.js";
import { createDenseEncoder } from "./dense-encoder.js";
import { LruCache } from "./lru-cache.js";

let root: string;
let model: TinyDenseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "hybrid-encoder-"));
  model = await writeTinyDenseModel(join(root, "dense"), {
    words: ["red", "green", "blue"],
    dim: 8,
    output: "token",
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("createEncoder (tiny dense model + BM25)", () => {
  it("encodes documents with both models, in input order", async () => {
    const encoder = await createEncoder({
      dense: model.dir,
      sparse: "Qdrant/bm25",
      cacheDir: root,
      onnxThreads: 1,
    });
    const dense = await createDenseEncoder({ model: model.dir, cacheDir: root, onnxThreads: 1 });
    try {
      const texts = ["red green blue red", "blue", "green red"];
      const vectors = await encoder.encodeDocuments(texts);
      expect(vectors.map((v) => v.sparse)).toEqual(texts.map(bm25Document));
      const expectedDense = await Promise.all(texts.map((t) => dense.embedQuery(t)));
      for (const [i, v] of vectors.entries()) {
        for (const [d, x] of v.dense.entries()) expect(x).toBeCloseTo(expectedDense[i]?.[d] ?? 0, 6);
      }
      expect(encoder.dense.dim).toBe(8);
      expect(encoder.sparse.modifier).toBe("idf");
    } finally {
      await Promise.all([encoder.close(), dense.close()]);
    }
  });

  it("caches queries: the same text is computed once", async () => {
    const encoder = await createEncoder({
      dense: model.dir,
      sparse: "Qdrant/bm25",
      cacheDir: root,
      onnxThreads: 1,
      queryCacheSize: 2,
    });
    try {
      const [a, b] = await Promise.all([
        encoder.encodeQuery("green blue"),
        encoder.encodeQuery("green blue"),
      ]);
      expect(a).toBe(b);
      expect(a.sparse).toEqual(bm25Query("green blue"));
      await encoder.encodeQuery("red");
      await encoder.encodeQuery("blue");
      // "green blue" was the least recently used of three entries for a cache of two.
      expect(await encoder.encodeQuery("green blue")).not.toBe(a);
    } finally {
      await encoder.close();
    }
  });

  it("reports a query as cached only once its vectors are computed, not while another request computes them", async () => {
    const encoder = await createEncoder({
      dense: model.dir,
      sparse: "Qdrant/bm25",
      cacheDir: root,
      onnxThreads: 1,
    });
    try {
      const first = encoder.lookupQuery("amber");
      const joined = encoder.lookupQuery("amber");
      expect([first.cached, joined.cached]).toEqual([false, false]);
      expect(await joined.vectors).toBe(await first.vectors);
      const later = encoder.lookupQuery("amber");
      expect(later.cached).toBe(true);
      expect(await later.vectors).toBe(await first.vectors);
    } finally {
      await encoder.close();
    }
  });

  it("rejects unknown models by name", async () => {
    await expect(
      createEncoder({ dense: model.dir, sparse: "Qdrant/bm42", cacheDir: root, onnxThreads: 1 }),
    ).rejects.toThrow(
      /unknown sparse model "Qdrant\/bm42": use one of Qdrant\/bm25, prithivida\/Splade_PP_en_v1/,
    );
    await expect(
      createEncoder({ dense: "acme/unknown", sparse: "Qdrant/bm25", cacheDir: root, onnxThreads: 1 }),
    ).rejects.toThrow(/unknown dense model "acme\/unknown"/);
    expect(sparseModifierOf("Qdrant/bm25")).toBe("idf");
    expect(sparseModifierOf("prithivida/Splade_PP_en_v1")).toBe("none");
    expect(() => sparseModifierOf("x")).toThrow(/unknown sparse model "x"/);
  });
});

describe("LruCache", () => {
  it("evicts the least recently used entry; capacity 0 keeps nothing", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a");
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, undefined, 3]);
    const off = new LruCache<string, number>(0);
    off.set("a", 1);
    expect(off.size).toBe(0);
  });
});
