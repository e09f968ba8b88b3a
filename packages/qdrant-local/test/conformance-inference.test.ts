import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDenseEncoder, type DenseEncoder } from "@hybrid/embeddings";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bm25DocumentVector, bm25QueryVector, readBm25Config, startQdrantLocal } from "../src/index.js";
import { type Backend, openBackend } from "./backend.js";

// Inference documents (`{text, model, options}` where a vector goes) for qdrant/bm25, which open-source Qdrant
// computes itself since 1.15.3: the same cases run against a real Qdrant when QDRANT_URL is set. Stored vectors are
// compared with this package's golden-tested BM25 (src/inference/bm25.test.ts); document queries are compared with the
// same query sent as a sparse vector.

let backend: Backend;
let name: string;
const BM25 = "qdrant/bm25";

const TEXTS = [
  "Relapsing polychondritis is a rare inflammatory disease of cartilage.",
  "Cartilage of the ear and nose becomes inflamed; relapsing episodes follow.",
  "Hybrid search fuses dense and sparse retrieval with reciprocal rank fusion.",
  "The stemmer folds relapsing, relapses and relapsed into one term.",
];
const DENSE = [
  [0.1, 0.9, 0.1, 0.2],
  [0.2, 0.8, 0.3, 0.1],
  [0.9, 0.1, 0.2, 0.4],
  [0.3, 0.5, 0.5, 0.5],
];

type Sparse = { indices: number[]; values: number[] };

/** A stored sparse vector as index -> f32 value (Qdrant may answer its pairs in another order). */
function asMap(vector: Sparse): Map<number, number> {
  return new Map(vector.indices.map((index, i) => [index, Math.fround(vector.values[i] as number)]));
}

async function sparseOf(id: number, vector = "bm25"): Promise<Sparse> {
  const [point] = await backend.client.retrieve(name, { ids: [id], with_vector: [vector] });
  const vectors = point?.vector as Record<string, Sparse> | undefined;
  return vectors?.[vector] as Sparse;
}

async function query(body: Record<string, unknown>) {
  const r = await backend.raw("POST", `/collections/${name}/points/query`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.points as Array<{ id: number; score: number }>;
}

beforeAll(async () => {
  backend = await openBackend();
  name = backend.name("conf_inference");
  await backend.raw("DELETE", `/collections/${name}`);
  const created = await backend.raw("PUT", `/collections/${name}`, {
    vectors: { dense: { size: 4, distance: "Dot" } },
    sparse_vectors: { bm25: { modifier: "idf" }, bm25_ws: { modifier: "idf" } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  // List form through the official client: documents as plain objects where vectors go.
  await backend.client.upsert(name, {
    wait: true,
    points: TEXTS.slice(0, 2).map((text, i) => ({
      id: i + 1,
      vector: { dense: DENSE[i] as number[], bm25: { text, model: BM25 } },
      payload: { text },
    })),
  });
  // Batch form, raw: one document per point for each named vector, with options on the second vector.
  const batch = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
    batch: {
      ids: [3, 4],
      vectors: {
        dense: DENSE.slice(2),
        bm25: TEXTS.slice(2).map((text) => ({ text, model: "Qdrant/BM25" })),
        bm25_ws: TEXTS.slice(2).map((text) => ({
          text,
          model: BM25,
          options: { tokenizer: "whitespace", language: "none", k: 1.5, b: 0.5, avg_len: 10 },
        })),
      },
      payloads: TEXTS.slice(2).map((text) => ({ text })),
    },
  });
  expect(batch.status, JSON.stringify(batch.body)).toBe(200);
});

afterAll(async () => {
  await backend.raw("DELETE", `/collections/${name}`);
  expect(backend.proxy.problems).toEqual([]);
  await backend.close();
});

describe("documents in upserts store Qdrant's BM25 document vectors", () => {
  it("list form and batch form (model name matched case-insensitively)", async () => {
    for (const [i, text] of TEXTS.entries()) {
      expect(asMap(await sparseOf(i + 1))).toEqual(
        asMap(bm25DocumentVector(text, readBm25Config(undefined))),
      );
    }
  });

  it("options reach the tokenizer and the weights", async () => {
    const options = { tokenizer: "whitespace", language: "none", k: 1.5, b: 0.5, avg_len: 10 };
    expect(asMap(await sparseOf(3, "bm25_ws"))).toEqual(
      asMap(bm25DocumentVector(TEXTS[2] as string, readBm25Config(options))),
    );
  });

  it("update vectors and points/batch take documents too", async () => {
    const updated = await backend.raw("PUT", `/collections/${name}/points/vectors?wait=true`, {
      points: [{ id: 2, vector: { bm25_ws: { text: "Ear, nose: cartilage!", model: BM25 } } }],
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(asMap(await sparseOf(2, "bm25_ws"))).toEqual(
      asMap(bm25DocumentVector("Ear, nose: cartilage!", readBm25Config(undefined))),
    );
    const batch = await backend.raw("POST", `/collections/${name}/points/batch?wait=true`, {
      operations: [
        {
          upsert: {
            points: [
              {
                id: 5,
                vector: { dense: [0, 0, 0, 1], bm25: { text: "polychondritis cartilage", model: BM25 } },
              },
            ],
          },
        },
        { update_vectors: { points: [{ id: 5, vector: { bm25_ws: { text: "a b a", model: BM25 } } }] } },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    expect(asMap(await sparseOf(5))).toEqual(
      asMap(bm25DocumentVector("polychondritis cartilage", readBm25Config(undefined))),
    );
    expect(asMap(await sparseOf(5, "bm25_ws"))).toEqual(
      asMap(bm25DocumentVector("a b a", readBm25Config(undefined))),
    );
    await backend.client.delete(name, { wait: true, points: [5] });
    await backend.raw("PUT", `/collections/${name}/points/vectors?wait=true`, {
      points: [{ id: 2, vector: { bm25_ws: { text: "", model: BM25 } } }],
    });
  });
});

describe("documents in queries are BM25 query vectors (weight 1 per token, IDF from the collection)", () => {
  const text = "What is relapsing polychondritis?";
  const vector = bm25QueryVector(text, readBm25Config(undefined));

  it("root query, through the official client", async () => {
    const byDocument = await backend.client.query(name, {
      query: { text, model: BM25 },
      using: "bm25",
      limit: 3,
    });
    const byVector = await backend.client.query(name, { query: vector, using: "bm25", limit: 3 });
    expect(byDocument.points.map((p) => p.id)).toEqual([1, 4, 2]);
    expect(byDocument.points).toEqual(byVector.points);
  });

  it("`nearest` and nested prefetches fused with RRF", async () => {
    const shape = (q: unknown) => ({
      prefetch: [
        {
          prefetch: { query: { nearest: q }, using: "bm25", limit: 5 },
          query: { nearest: q },
          using: "bm25",
          limit: 5,
        },
        { query: [0.1, 0.9, 0.2, 0.2], using: "dense", limit: 5 },
      ],
      query: { fusion: "rrf" },
      limit: 4,
    });
    const byDocument = await query(shape({ text, model: BM25 }));
    expect(byDocument).toEqual(await query(shape(vector)));
    expect(byDocument[0]?.id).toBe(1);
  });

  it("batch query", async () => {
    const r = await backend.raw("POST", `/collections/${name}/points/query/batch`, {
      searches: [
        { query: { text, model: BM25 }, using: "bm25", limit: 2 },
        {
          query: { text: "cartilage", model: BM25, options: { stemmer: { type: "none" } } },
          using: "bm25",
          limit: 2,
        },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.result[0].points).toEqual(await query({ query: vector, using: "bm25", limit: 2 }));
    const cartilage = bm25QueryVector("cartilage", readBm25Config({ stemmer: { type: "none" } }));
    expect(r.body.result[1].points).toEqual(await query({ query: cartilage, using: "bm25", limit: 2 }));
  });
});

describe("bad documents answer 400", () => {
  it("bad BM25 options: Qdrant's `Invalid BM25 config`", async () => {
    const r = await backend.raw("POST", `/collections/${name}/points/query`, {
      query: { text: "x", model: BM25, options: { tokenizer: "bogus" } },
      using: "bm25",
    });
    expect(r.status).toBe(400);
    expect(r.body.status.error).toContain("Invalid BM25 config");
  });

  it("a model the local mode has not provisioned, naming the model (qdrant-local only)", async () => {
    if (!backend.local) return; // a self-hosted Qdrant answers its own error for cloud models
    const r = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [{ id: 9, vector: { dense: { text: "x", model: "sentence-transformers/all-minilm-l6-v2" } } }],
    });
    expect(r.status).toBe(400);
    expect(r.body.status.error).toMatch(
      /model `sentence-transformers\/all-minilm-l6-v2` is not available in qdrant-local.*--dense-model/,
    );
  });

  it("a document with a non-string text is a format error", async () => {
    const r = await backend.raw(
      "POST",
      `/collections/${name}/points/query`,
      { query: { text: 5, model: BM25 }, using: "bm25" },
      { invalid: true },
    );
    expect(r.status).toBe(400);
  });
});

describe("dense documents with a provisioned model (qdrant-local playing Qdrant Cloud)", () => {
  let root: string;
  let encoder: DenseEncoder;
  let server: Awaited<ReturnType<typeof startQdrantLocal>>;
  let client: QdrantClient;
  const CLOUD_NAME = "sentence-transformers/all-minilm-l6-v2";

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "qdrant-local-inference-"));
    // A tiny ONNX model stands in for MiniLM's weights (not downloadable here); the encoder around it is the real one.
    const model = await writeTinyDenseModel(join(root, "tiny"), {
      words: ["what", "is", "relapsing", "polychondritis", "cartilage", "ear", "nose"],
      dim: 4,
      output: "token",
    });
    encoder = await createDenseEncoder({ model: model.dir, cacheDir: root, onnxThreads: 1 });
    server = await startQdrantLocal({ port: 0, inference: { dense: new Map([[CLOUD_NAME, encoder]]) } });
    client = new QdrantClient({ url: server.url });
    await client.createCollection("dense_docs", {
      vectors: { dense_vector: { size: 4, distance: "Cosine" } },
      sparse_vectors: { bm25_sparse_vector: { modifier: "idf" } },
    });
  });

  afterAll(async () => {
    await server.close();
    await encoder.close();
    await rm(root, { recursive: true, force: true });
  });

  it("embeds documents with the encoder, by the model's Qdrant Cloud name in any case", async () => {
    await client.upsert("dense_docs", {
      wait: true,
      points: TEXTS.slice(0, 2).map((text, i) => ({
        id: i + 1,
        vector: {
          dense_vector: { text, model: "sentence-transformers/all-MiniLM-L6-v2" },
          bm25_sparse_vector: { text, model: BM25 },
        },
      })),
    });
    const [point] = await client.retrieve("dense_docs", { ids: [2], with_vector: ["dense_vector"] });
    const [expected] = await encoder.embedDocuments([TEXTS[1] as string]);
    const vectors = point?.vector as Record<string, number[]> | undefined;
    const stored = vectors?.dense_vector as number[];
    expect(stored).toHaveLength(4);
    for (const [i, x] of stored.entries()) expect(x).toBeCloseTo((expected as number[])[i] as number, 6);
  });

  it("answers document queries: dense and BM25 prefetches fused by RRF", async () => {
    const text = "What is relapsing polychondritis?";
    const result = await client.query("dense_docs", {
      prefetch: [
        { query: { text, model: CLOUD_NAME }, using: "dense_vector", limit: 5 },
        { query: { text, model: BM25 }, using: "bm25_sparse_vector", limit: 5 },
      ],
      query: { fusion: "rrf" },
      limit: 2,
      with_payload: false,
    });
    const sparse = await client.query("dense_docs", {
      query: bm25QueryVector(text, readBm25Config(undefined)),
      using: "bm25_sparse_vector",
      limit: 5,
    });
    const fused = await client.query("dense_docs", {
      prefetch: [
        { query: await encoder.embedQuery(text), using: "dense_vector", limit: 5 },
        { query: bm25QueryVector(text, readBm25Config(undefined)), using: "bm25_sparse_vector", limit: 5 },
      ],
      query: { fusion: "rrf" },
      limit: 2,
      with_payload: false,
    });
    expect(sparse.points[0]?.id).toBe(1);
    expect(result.points).toEqual(fused.points);
  });
});
