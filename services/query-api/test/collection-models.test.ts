import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { type RunningServer, serveHttp } from "@hybrid/service-kit";
import {
  createQdrantConnection,
  deleteCollection,
  ensureCollection,
  pointId,
  upsertPoints,
} from "@hybrid/store";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createEncoderSlot } from "../src/encoder-slot.js";
import { createQueryApp, type EncoderPool, type ModelPair } from "../src/index.js";
import type { SearchResponse } from "../src/search-schemas.js";
import { MODEL_CACHE_DIR, MODELS } from "./support/paths.js";

// One query API instance (in-process, real HTTP) configured with offline/use-lite + BM25, searching the startups
// collection (built with those, by the global setup) and collections built with tiny ONNX models written here (path
// models, each in its own ONNX runner process). The loader is createEncoder; it only records loads and closes.

const qdrantUrl = inject("qdrantUrl");
const startups = inject("startupsCollection");
const client = createQdrantConnection({ url: qdrantUrl, timeoutMs: 10_000 });
const DOCS = ["red apple pie", "green car wash", "blue sea shell", "yellow sun hat"];
const WORDS = [...new Set(DOCS.flatMap((d) => d.split(" ")))];

let root: string;
let configured: HybridEncoder;
let server: Pick<RunningServer, "close">;
let base: string;
let encoders: EncoderPool;
const loads: string[] = [];
const closed: string[] = [];
/** Collection name → the tiny model directory it was built with. */
const tiny = new Map<string, string>();
const extraCollections: string[] = [];

async function buildTinyCollection(name: string, dim: number, seed: number): Promise<void> {
  const dir = join(root, name);
  await writeTinyDenseModel(dir, { words: WORDS, dim, seed, output: "token" });
  const encoder = await createEncoder({ dense: dir, sparse: MODELS.sparse, cacheDir: root, onnxThreads: 1 });
  try {
    await ensureCollection(client, name, {
      dense: encoder.dense.model,
      denseDim: encoder.dense.dim,
      distance: "Cosine",
      sparse: encoder.sparse.model,
      sparseModifier: encoder.sparse.modifier,
    });
    const vectors = await encoder.encodeDocuments(DOCS);
    await upsertPoints(
      client,
      name,
      DOCS.map((text, i) => ({
        id: pointId(name, String(i), 0),
        dense: vectors[i]?.dense ?? [],
        sparse: vectors[i]?.sparse ?? { indices: [], values: [] },
        payload: { text },
      })),
    );
  } finally {
    await encoder.close();
  }
  tiny.set(name, dir);
}

async function recordingLoad(models: ModelPair): Promise<HybridEncoder> {
  loads.push(models.dense);
  const encoder = await createEncoder({
    ...models,
    cacheDir: MODEL_CACHE_DIR,
    onnxThreads: 1,
    queryCacheSize: 64,
  });
  return {
    ...encoder,
    close: async () => {
      closed.push(models.dense);
      await encoder.close();
    },
  };
}

async function post(body: Record<string, unknown>) {
  const res = await fetch(`${base}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as SearchResponse & { error: { message: string } } };
}

async function search(body: Record<string, unknown>): Promise<SearchResponse> {
  const { status, body: answer } = await post(body);
  if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(answer)}`);
  return answer;
}

const texts = (r: SearchResponse) => r.hits.map((h) => h.payload?.text);
const col = (i: number) => `tiny_${i}_${process.pid}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "query-collection-models-"));
  for (const [i, dim] of [8, 6, 5].entries()) await buildTinyCollection(col(i), dim, i + 1);
  configured = await createEncoder({
    ...MODELS,
    cacheDir: MODEL_CACHE_DIR,
    onnxThreads: 1,
    queryCacheSize: 64,
  });
  const slot = createEncoderSlot<HybridEncoder>();
  slot.set(configured);
  const app = createQueryApp({
    logger: pino({ level: "silent" }),
    qdrant: client,
    encoder: slot,
    loadEncoder: recordingLoad,
    options: {
      defaultCollection: startups,
      maxLimit: 100,
      embedCacheSize: 64,
      maxModels: 2,
      apiKeys: [],
      rateLimitPerMinute: 0,
      corsOrigins: [],
    },
  });
  encoders = app.encoders;
  const running = await serveHttp(app.app, { host: "127.0.0.1", port: 0 });
  server = running;
  base = `http://127.0.0.1:${running.port}`;
});

afterAll(async () => {
  await server?.close();
  await encoders?.close();
  await configured?.close();
  for (const name of [...tiny.keys(), ...extraCollections]) await deleteCollection(client, name);
  await client.close();
  await rm(root, { recursive: true, force: true });
});

describe("one query API, collections built with different models", () => {
  it("embeds each query with the models its collection records", async () => {
    // Concurrent first searches of a collection share one load of its models.
    // Each query is a document's text: its vector is the document's (cosine 1), so it is the top hit.
    const first = await Promise.all(
      DOCS.map((query) => search({ query, collection: col(0), mode: "dense", limit: 2 })),
    );
    expect(first.map((r) => texts(r)[0])).toEqual(DOCS);
    expect(first.map((r) => r.hits[0]?.score ?? 0).every((score) => Math.abs(score - 1) < 1e-5)).toBe(true);
    expect(loads).toEqual([tiny.get(col(0))]);

    // The same instance searches the startups collection with the configured models (not loaded again).
    const hybrid = await search({ query: "parking app for drivers", limit: 3 });
    expect(hybrid.hits[0]?.payload).toMatchObject({ name: "SpotHero" });
    expect(texts(await search({ query: "blue sea shell", collection: col(0), limit: 1 }))).toEqual([
      "blue sea shell",
    ]);
    expect(loads).toEqual([tiny.get(col(0))]);
  });

  it("keeps at most QUERY_MAX_MODELS other pairs loaded, closing the least recently used", async () => {
    await search({ query: "yellow sun", collection: col(1) });
    await search({ query: "yellow hat", collection: col(0) }); // col(0)'s models are now the most recently used
    expect(closed).toEqual([]);
    expect(
      texts(await search({ query: "yellow sun hat", collection: col(2), mode: "dense", limit: 1 })),
    ).toEqual(["yellow sun hat"]);
    expect(closed).toEqual([tiny.get(col(1))]);
    expect(encoders.loaded().map((m) => m.dense)).toEqual([tiny.get(col(0)), tiny.get(col(2))]);
    // The configured models are not in the bound and stay loaded.
    expect(
      (await search({ query: "online eye exam", mode: "dense", limit: 1 })).hits[0]?.payload,
    ).toMatchObject({
      name: "Opternative",
    });
    // The evicted pair loads again on its next search.
    expect(texts(await search({ query: "apple", collection: col(1), mode: "sparse", limit: 1 }))).toEqual([
      "red apple pie",
    ]);
    expect(loads).toEqual([tiny.get(col(0)), tiny.get(col(1)), tiny.get(col(2)), tiny.get(col(1))]);
    expect(closed).toEqual([tiny.get(col(1)), tiny.get(col(0))]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('query_model_loads_total{outcome="ok"} 4');
    expect(metrics).toContain("query_model_evictions_total 2");
  });

  it("answers 409 naming the model when a collection's models cannot be loaded", async () => {
    const name = `unknown_model_${process.pid}`;
    extraCollections.push(name);
    await ensureCollection(client, name, {
      dense: "acme/no-such-model",
      denseDim: 8,
      distance: "Cosine",
      sparse: "Qdrant/bm25",
      sparseModifier: "idf",
    });
    const { status, body } = await post({ query: "x", collection: name });
    expect(status).toBe(409);
    expect(body.error).toMatchObject({
      code: "CONFLICT",
      details: { field: "collection", models: { dense: "acme/no-such-model", sparse: "Qdrant/bm25" } },
    });
    expect(body.error.message).toMatch(
      new RegExp(
        `^collection "${name}" was built with models this service cannot load dense model "acme/no-such-model" ` +
          'with sparse model "Qdrant/bm25": unknown dense model "acme/no-such-model"',
      ),
    );
  });

  it("answers 409 when the recorded dimension differs from the loaded model's", async () => {
    const name = `other_dim_${process.pid}`;
    extraCollections.push(name);
    await ensureCollection(client, name, {
      dense: MODELS.dense,
      denseDim: 384,
      distance: "Cosine",
      sparse: MODELS.sparse,
      sparseModifier: "idf",
    });
    const { status, body } = await post({ query: "x", collection: name });
    expect(status).toBe(409);
    expect(body.error.message).toBe(
      `collection "${name}" was built with dense offline/use-lite (384 dims), the model loaded under that name here gives 512 dims`,
    );
  });
});
