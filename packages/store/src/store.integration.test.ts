import { randomUUID } from "node:crypto";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { AppError } from "@hybrid/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CollectionSpec, ensureCollection, readCollectionModels } from "./collection.js";
import { pointId } from "./point-id.js";
import { createQdrantClient, type QdrantClient } from "./qdrant-client.js";
import { STORE_BM25_MODEL, upsertPoints } from "./upsert-points.js";

/** The official client against the Qdrant local mode (in-process, in memory), or a real Qdrant when QDRANT_URL is set. */
let local: QdrantLocal | undefined;
let client: QdrantClient;
let url: string;
const created: string[] = [];

beforeAll(async () => {
  if (process.env.QDRANT_URL) url = process.env.QDRANT_URL;
  else {
    local = await startQdrantLocal({ port: 0 });
    url = local.url;
  }
  client = createQdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, timeoutMs: 10_000 });
});

afterAll(async () => {
  await Promise.all(created.map((name) => client.deleteCollection(name).catch(() => undefined)));
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
    await ensureCollection(client, name, { ...spec, layout });
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
    await upsertPoints(client, name, [point], { ordering: "strong" });
    // The setting reaches the server: an ordering Qdrant does not know is refused there.
    const refused = await conflictOf(upsertPoints(client, name, [point], { ordering: "eventual" as never }));
    expect(refused.code).toBe("BAD_REQUEST");
    const hits = await client.query(name, { query: [1, 0, 0, 0], using: "dense", consistency: "majority" });
    expect(hits.points.map((p) => p.id)).toEqual([point.id]);
  });

  it("creates the collection with named vectors and records the models, then accepts it as is", async () => {
    const name = collectionName();
    await expect(ensureCollection(client, name, spec)).resolves.toEqual({
      created: true,
      inference: "client",
    });
    const info = await client.getCollection(name);
    expect(info.config.params.vectors).toMatchObject({ dense: { size: 4, distance: "Cosine" } });
    expect(info.config.params.sparse_vectors).toMatchObject({ sparse: { modifier: "idf" } });
    await expect(readCollectionModels(client, name)).resolves.toEqual({
      dense: "offline/use-lite",
      denseDim: 4,
      sparse: "Qdrant/bm25",
    });
    await expect(ensureCollection(client, name, spec)).resolves.toEqual({
      created: false,
      inference: "client",
    });
  });

  it("refuses an existing collection built for another dimension and model, naming both", async () => {
    const name = collectionName();
    await ensureCollection(client, name, spec);
    const other = { ...spec, dense: "BAAI/bge-small-en-v1.5", denseDim: 384 };
    const error = await conflictOf(ensureCollection(client, name, other));
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
    const error = await conflictOf(ensureCollection(client, name, spec));
    expect(error.message).toContain("sparse modifier expected idf (Qdrant/bm25), found none");
  });

  it("lets several processes race to create the same collection: one creates, all agree", async () => {
    const name = collectionName();
    const clients = Array.from({ length: 4 }, () =>
      createQdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, timeoutMs: 10_000 }),
    );
    const results = await Promise.all(clients.map((c) => ensureCollection(c, name, spec)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("records a mixed or server inference mode, and an existing collection keeps its own", async () => {
    const name = collectionName();
    await expect(ensureCollection(client, name, { ...spec, inference: "mixed" })).resolves.toEqual({
      created: true,
      inference: "mixed",
    });
    await expect(readCollectionModels(client, name)).resolves.toMatchObject({ inference: "mixed" });
    // Configured otherwise now: the collection's recorded mode wins, so its BM25 never mixes two recipes.
    await expect(ensureCollection(client, name, { ...spec, inference: "server" })).resolves.toEqual({
      created: false,
      inference: "mixed",
    });
  });

  it("reports a missing collection as NOT_FOUND", async () => {
    const error = await conflictOf(readCollectionModels(client, `missing-${randomUUID().slice(0, 8)}`));
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("upsertPoints", () => {
  it("sends BM25 as a qdrant/bm25 document for the store to compute (mixed mode)", async () => {
    const name = collectionName();
    await ensureCollection(client, name, { ...spec, inference: "mixed" });
    const id = pointId(name, "doc-1", 0);
    await upsertPoints(client, name, [
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
    await ensureCollection(client, name, spec);
    const points = [0, 1, 2].map((i) => ({
      id: pointId(name, `row-${i}`, 0),
      dense: [1, i, 0, 0],
      sparse: { indices: [i, 100], values: [1, 0.5] },
      payload: { title: `t${i}` },
    }));
    await upsertPoints(client, name, points);
    await upsertPoints(client, name, points);
    expect((await client.count(name, { exact: true })).count).toBe(3);
    const [stored] = await client.retrieve(name, { ids: [pointId(name, "row-2", 0)], with_vector: true });
    expect(stored?.payload).toEqual({ title: "t2" });
    expect(stored?.vector).toMatchObject({ sparse: { indices: [2, 100], values: [1, 0.5] } });
  });

  it("turns a wrong dimension into a non-retryable BAD_REQUEST and a missing collection into NOT_FOUND", async () => {
    const name = collectionName();
    await ensureCollection(client, name, spec);
    const point = {
      id: pointId(name, "r", 0),
      dense: [1, 2],
      sparse: { indices: [], values: [] },
      payload: {},
    };
    const wrongDim = await conflictOf(upsertPoints(client, name, [point]));
    expect(wrongDim.code).toBe("BAD_REQUEST");
    expect(wrongDim.retryable).toBe(false);
    expect(wrongDim.message).toMatch(
      new RegExp(`^upsert of 1 points into "${name}" failed: Qdrant answered 400`),
    );
    const missing = await conflictOf(upsertPoints(client, `missing-${randomUUID().slice(0, 8)}`, [point]));
    expect(missing.code).toBe("NOT_FOUND");
  });
});
