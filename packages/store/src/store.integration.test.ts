import { randomUUID } from "node:crypto";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { AppError } from "@hybrid/service-kit";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CollectionSpec, ensureCollection, readCollectionModels } from "./collection.js";
import { pointId } from "./point-id.js";
import { createQdrantConnection, type QdrantConnection } from "./qdrant-connection.js";
import { queryPoints } from "./query-points.js";
import { STORE_BM25_MODEL, upsertPoints } from "./upsert-points.js";

/**
 * The store's connection against the Qdrant local mode (in-process, in memory), or a real Qdrant when QDRANT_URL is
 * set; the official client, a second implementation, looks at what the store wrote.
 */
let local: QdrantLocal | undefined;
let store: QdrantConnection;
let client: QdrantClient;
let url: string;
const created: string[] = [];

beforeAll(async () => {
  if (process.env.QDRANT_URL) url = process.env.QDRANT_URL;
  else {
    local = await startQdrantLocal({ port: 0 });
    url = local.url;
  }
  store = createQdrantConnection({ url, apiKey: process.env.QDRANT_API_KEY, timeoutMs: 10_000 });
  const { port } = new URL(url);
  client = new QdrantClient({
    url,
    port: Number(port),
    apiKey: process.env.QDRANT_API_KEY,
    checkCompatibility: false,
  });
});

afterAll(async () => {
  await Promise.all(created.map((name) => client.deleteCollection(name).catch(() => undefined)));
  await store.close();
  await local?.close();
});

const spec: CollectionSpec = {
  dense: "offline/use-lite",
  denseDim: 4,
  distance: "Cosine",
  sparse: "Qdrant/bm25",
  sparseModifier: "idf",
};

function collectionName(): string {
  const name = `store-test-${randomUUID().slice(0, 8)}`;
  created.push(name);
  return name;
}

async function conflictOf(run: Promise<unknown>): Promise<AppError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("ensureCollection", () => {
  it("creates a collection with the configured shards, replicas, write quorum, on-disk vectors and int8", async () => {
    const name = collectionName();
    const layout = {
      shardNumber: 3,
      replicationFactor: 2,
      writeConsistencyFactor: 2,
      onDiskVectors: true,
      onDiskPayload: true,
      quantization: "int8" as const,
    };
    await ensureCollection(store, name, { ...spec, layout });
    const { config } = await client.getCollection(name);
    expect(config.params).toMatchObject({
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk_payload: true,
      vectors: { dense: { on_disk: true } },
      sparse_vectors: { sparse: { index: { on_disk: true } } },
    });
    expect(config.hnsw_config.on_disk).toBe(true);
    expect(config.quantization_config).toMatchObject({ scalar: { type: "int8" } });
    const point = {
      id: pointId(name, "r1", 0),
      dense: [1, 0, 0, 0],
      sparse: { indices: [1], values: [1] },
      payload: {},
    };
    await upsertPoints(store, name, [point], { ordering: "strong" });
    // The setting reaches the server: an ordering Qdrant does not know is refused there.
    const refused = await conflictOf(upsertPoints(store, name, [point], { ordering: "eventual" as never }));
    expect(refused.code).toBe("BAD_REQUEST");
    const majority = createQdrantConnection({
      url,
      apiKey: process.env.QDRANT_API_KEY,
      timeoutMs: 10_000,
      readConsistency: "majority",
    });
    const body = {
      query: [1, 0, 0, 0],
      using: "dense",
      limit: 10,
      offset: 0,
      with_payload: false,
      with_vector: false as const,
    };
    const hits = await queryPoints(majority, name, body).finally(() => majority.close());
    expect(hits.map((p) => p.id)).toEqual([point.id]);
  });

  it("creates the collection with named vectors and records the models, then accepts it as is", async () => {
    const name = collectionName();
    await expect(ensureCollection(store, name, spec)).resolves.toEqual({
      created: true,
      inference: "client",
    });
    const info = await client.getCollection(name);
    expect(info.config.params.vectors).toMatchObject({ dense: { size: 4, distance: "Cosine" } });
    expect(info.config.params.sparse_vectors).toMatchObject({ sparse: { modifier: "idf" } });
    await expect(readCollectionModels(store, name)).resolves.toEqual({
      dense: "offline/use-lite",
      denseDim: 4,
      sparse: "Qdrant/bm25",
    });
    await expect(ensureCollection(store, name, spec)).resolves.toEqual({
      created: false,
      inference: "client",
    });
  });

  it("refuses an existing collection built for another dimension and model, naming both", async () => {
    const name = collectionName();
    await ensureCollection(store, name, spec);
    const other = { ...spec, dense: "BAAI/bge-small-en-v1.5", denseDim: 384 };
    const error = await conflictOf(ensureCollection(store, name, other));
    expect(error.code).toBe("CONFLICT");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`collection "${name}" does not match the configured models`);
    expect(error.message).toContain("dense dimension expected 384 (BAAI/bge-small-en-v1.5), found 4");
    expect(error.message).toContain("dense model expected BAAI/bge-small-en-v1.5, found offline/use-lite");
  });

  it("refuses a collection whose sparse vector lacks the IDF modifier", async () => {
    const name = collectionName();
    await client.createCollection(name, {
      vectors: { dense: { size: 4, distance: "Cosine" } },
      sparse_vectors: { sparse: {} },
    });
    const error = await conflictOf(ensureCollection(store, name, spec));
    expect(error.message).toContain("sparse modifier expected idf (Qdrant/bm25), found none");
  });

  it("lets several processes race to create the same collection: one creates, all agree", async () => {
    const name = collectionName();
    const connections = Array.from({ length: 4 }, () =>
      createQdrantConnection({ url, apiKey: process.env.QDRANT_API_KEY, timeoutMs: 10_000 }),
    );
    const results = await Promise.all(connections.map((c) => ensureCollection(c, name, spec)));
    await Promise.all(connections.map((c) => c.close()));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("records a mixed or server inference mode, and an existing collection keeps its own", async () => {
    const name = collectionName();
    await expect(ensureCollection(store, name, { ...spec, inference: "mixed" })).resolves.toEqual({
      created: true,
      inference: "mixed",
    });
    await expect(readCollectionModels(store, name)).resolves.toMatchObject({ inference: "mixed" });
    // Configured otherwise now: the collection's recorded mode wins, so its BM25 never mixes two recipes.
    await expect(ensureCollection(store, name, { ...spec, inference: "server" })).resolves.toEqual({
      created: false,
      inference: "mixed",
    });
  });

  it("reports a missing collection as NOT_FOUND", async () => {
    const error = await conflictOf(readCollectionModels(store, `missing-${randomUUID().slice(0, 8)}`));
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("upsertPoints", () => {
  it("sends BM25 as a qdrant/bm25 document for the store to compute (mixed mode)", async () => {
    const name = collectionName();
    await ensureCollection(store, name, { ...spec, inference: "mixed" });
    const id = pointId(name, "doc-1", 0);
    await upsertPoints(store, name, [
      {
        id,
        dense: [0.1, 0.2, 0.3, 0.4],
        sparse: { text: "Relapsing polychondritis", model: STORE_BM25_MODEL },
        payload: {},
      },
    ]);
    const [point] = await client.retrieve(name, { ids: [id], with_vector: true });
    const vectors = point?.vector as Record<string, { indices: number[] }> | undefined;
    expect(vectors?.sparse?.indices).toHaveLength(2);
  });

  it("writes both named vectors and the payload; writing again with the same ids adds nothing", async () => {
    const name = collectionName();
    await ensureCollection(store, name, spec);
    const points = [0, 1, 2].map((i) => ({
      id: pointId(name, `row-${i}`, 0),
      dense: [1, i, 0, 0],
      sparse: { indices: [i, 100], values: [1, 0.5] },
      payload: { title: `t${i}` },
    }));
    await upsertPoints(store, name, points);
    await upsertPoints(store, name, points);
    expect((await client.count(name, { exact: true })).count).toBe(3);
    const [stored] = await client.retrieve(name, { ids: [pointId(name, "row-2", 0)], with_vector: true });
    expect(stored?.payload).toEqual({ title: "t2" });
    expect(stored?.vector).toMatchObject({ sparse: { indices: [2, 100], values: [1, 0.5] } });
  });

  it("turns a wrong dimension into a non-retryable BAD_REQUEST and a missing collection into NOT_FOUND", async () => {
    const name = collectionName();
    await ensureCollection(store, name, spec);
    const point = {
      id: pointId(name, "r", 0),
      dense: [1, 2],
      sparse: { indices: [], values: [] },
      payload: {},
    };
    const wrongDim = await conflictOf(upsertPoints(store, name, [point]));
    expect(wrongDim.code).toBe("BAD_REQUEST");
    expect(wrongDim.retryable).toBe(false);
    expect(wrongDim.message).toMatch(
      new RegExp(`^upsert of 1 points into "${name}" failed: Qdrant answered 400`),
    );
    const missing = await conflictOf(upsertPoints(store, `missing-${randomUUID().slice(0, 8)}`, [point]));
    expect(missing.code).toBe("NOT_FOUND");
  });
});
