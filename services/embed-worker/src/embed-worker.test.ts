import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import {
  type BatchJob,
  batchJobId,
  batchJobOptions,
  createRedis,
  EMBED_JOB,
  ingestionKeys,
  QUEUE,
  type RedisClient,
  recordBatchDone,
  recordBatchFailed,
  redisOptions,
} from "@hybrid/queue";
import { createQdrantConnection, ensureCollection, pointId, type QdrantConnection } from "@hybrid/store";
import { QdrantClient } from "@qdrant/js-client-rest";
import { Queue, type Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmbedWorker } from "./embed-worker.js";
import type { BatchDeps } from "./process-batch.js";

/**
 * The worker end to end inside one process: real Redis (REDIS_URL), real BullMQ, the real offline model and BM25,
 * the Qdrant local mode in-process. Each test has its own queue prefix and collection.
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = createLogger({ name: "embed-worker-test", level: "silent" });
let encoder: HybridEncoder;
let local: QdrantLocal;
let qdrant: QdrantConnection;
/** The official client looks at what the worker wrote. */
let observer: QdrantClient;
let redis: RedisClient;
let models: BatchJob["models"];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  encoder = await createEncoder({
    dense: "offline/use-lite",
    sparse: "Qdrant/bm25",
    cacheDir: new URL("../../../.cache/models", import.meta.url).pathname,
    onnxThreads: 1,
  });
  models = { dense: encoder.dense.model, denseDim: encoder.dense.dim, sparse: encoder.sparse.model };
  local = await startQdrantLocal({ port: 0 });
  qdrant = createQdrantConnection({ url: local.url, timeoutMs: 10_000 });
  observer = clientFor(local.url);
  redis = createRedis(REDIS_URL);
}, 120_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await qdrant?.close();
  await encoder?.close();
  await local?.close();
  redis?.disconnect();
});

function clientFor(url: string): QdrantClient {
  return new QdrantClient({ url, port: Number(new URL(url).port), checkCompatibility: false });
}

interface Setup {
  prefix: string;
  collection: string;
  ingestionId: string;
  queue: Queue;
  worker: Worker;
}

async function setup(overrides: Partial<BatchDeps> = {}): Promise<Setup> {
  const prefix = `test-worker-${randomUUID().slice(0, 8)}`;
  const collection = `worker-${randomUUID().slice(0, 8)}`;
  const ingestionId = `ing${randomUUID().slice(0, 8)}`;
  await ensureCollection(qdrant, collection, { ...models, distance: "Cosine", sparseModifier: "idf" });
  // The producer creates the progress hash before adding batches; the counters ignore unknown ingestions.
  await redis.hset(ingestionKeys(prefix, ingestionId).hash, { state: "running", batchesDone: 0 });
  const queue = new Queue(QUEUE.embed, { connection: redisOptions(REDIS_URL), prefix });
  const worker = createEmbedWorker({
    connection: redisOptions(REDIS_URL),
    prefix,
    concurrency: 1,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    logger,
    deps: {
      encoder,
      models,
      qdrant,
      storeRetry: { attempts: 3, baseMs: 20, maxMs: 100 },
      recordDone: (batch, points, rows) => recordBatchDone(redis, prefix, batch, points, rows),
      recordFailed: (batch, reason) => recordBatchFailed(redis, prefix, batch, reason),
      logger,
      ...overrides,
    },
  });
  void worker.run();
  cleanups.push(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await observer.deleteCollection(collection);
  });
  return { prefix, collection, ingestionId, queue, worker };
}

function batchOf(s: Setup, batchIndex: number, texts: string[], extra: Partial<BatchJob> = {}): BatchJob {
  return {
    v: 1,
    ingestionId: s.ingestionId,
    collection: s.collection,
    batchIndex,
    models,
    rows: texts.map((text, i) => ({
      rowId: `r${batchIndex}-${i}`,
      line: i + 1,
      chunk: 0,
      text,
      payload: { text, n: i },
    })),
    ...extra,
  };
}

async function finished(queue: Queue, jobId: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === "completed" || state === "failed") return state;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const texts = [
  "Vitamin D supplements and bone density in older adults.",
  "A randomised trial of aspirin for the primary prevention of cardiovascular events.",
  "Gut microbiota composition differs between lean and obese twins.",
];

describe("embed worker", () => {
  it("embeds a batch into points with deterministic ids and counts it once, even when delivered twice", async () => {
    const s = await setup();
    const jobId = batchJobId(s.ingestionId, 0);
    const batch = batchOf(s, 0, texts);
    await s.queue.add(EMBED_JOB, batch, { ...batchJobOptions(), jobId });
    expect(await finished(s.queue, jobId)).toBe("completed");
    expect((await s.queue.getJob(jobId))?.returnvalue).toEqual({ points: 3 });

    const ids = batch.rows.map((row) => pointId(s.collection, row.rowId, row.chunk));
    const stored = await observer.retrieve(s.collection, { ids, with_payload: true, with_vector: true });
    expect(stored.map((p) => p.payload?.n).sort()).toEqual([0, 1, 2]);
    const vector = stored[0]?.vector as { dense: number[]; sparse: { indices: number[] } };
    expect(vector.dense).toHaveLength(models.denseDim);
    expect(vector.sparse.indices.length).toBeGreaterThan(3);

    // At-least-once delivery: the same batch again (as after a crash) overwrites its points, counts nothing twice.
    await s.queue.add(EMBED_JOB, batch, { ...batchJobOptions(), jobId: `${jobId}-again` });
    expect(await finished(s.queue, `${jobId}-again`)).toBe("completed");
    expect((await observer.count(s.collection, { exact: true })).count).toBe(3);
    const progress = await redis.hgetall(ingestionKeys(s.prefix, s.ingestionId).hash);
    expect(progress).toMatchObject({ batchesDone: "1", pointsUpserted: "3" });
  });

  it("stores pre-computed vectors as they are, running the models only for rows without them", async () => {
    let denseTexts: string[] = [];
    let sparseTexts: string[] = [];
    const s = await setup({
      encoder: {
        encodeDocumentLists: (lists) => {
          denseTexts = lists.dense;
          sparseTexts = lists.sparse;
          return encoder.encodeDocumentLists(lists);
        },
      },
    });
    // Unit vectors: a Cosine collection stores vectors normalised, so these come back as they went in.
    const unit = (i: number) => Array.from({ length: models.denseDim }, (_, d) => (d === i ? 1 : 0));
    const batch = batchOf(s, 4, texts);
    const [first, second] = batch.rows;
    if (!first || !second) throw new Error("batch rows missing");
    first.vectors = { dense: unit(0), sparse: { indices: [7, 42], values: [0.5, 1.25] } };
    second.vectors = { dense: unit(1) };
    const jobId = batchJobId(s.ingestionId, 4);
    await s.queue.add(EMBED_JOB, batch, { ...batchJobOptions(), jobId });
    expect(await finished(s.queue, jobId)).toBe("completed");
    expect(denseTexts).toEqual([texts[2]]);
    expect(sparseTexts).toEqual([texts[1], texts[2]]);
    const ids = batch.rows.map((row) => pointId(s.collection, row.rowId, row.chunk));
    const stored = await observer.retrieve(s.collection, { ids: ids.slice(0, 2), with_vector: true });
    const byId = new Map(stored.map((p) => [p.id, p.vector as { dense: number[]; sparse: unknown }]));
    expect(byId.get(ids[0] as string)).toEqual({
      dense: unit(0),
      sparse: { indices: [7, 42], values: [0.5, 1.25] },
    });
    expect(byId.get(ids[1] as string)?.dense).toEqual(unit(1));
  });

  it("refuses a batch built for other models at once, without retries, and records why", async () => {
    const s = await setup();
    const jobId = batchJobId(s.ingestionId, 1);
    const batch = batchOf(s, 1, texts, {
      models: { ...models, dense: "BAAI/bge-small-en-v1.5", denseDim: 384 },
    });
    await s.queue.add(EMBED_JOB, batch, { ...batchJobOptions({ attempts: 3, backoffMs: 10 }), jobId });
    expect(await finished(s.queue, jobId)).toBe("failed");
    const job = await s.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBe(
      "batch built for models BAAI/bge-small-en-v1.5 (384d) + Qdrant/bm25 but this worker runs " +
        "offline/use-lite (512d) + Qdrant/bm25; start workers with the collection's models",
    );
    const keys = ingestionKeys(s.prefix, s.ingestionId);
    expect(await redis.hget(keys.failed, "1")).toBe(job?.failedReason);
    expect(await redis.hget(keys.hash, "batchesFailed")).toBe("1");
    expect((await observer.count(s.collection, { exact: true })).count).toBe(0);
  });

  it("fails a payload that breaks the schema at once, naming the field", async () => {
    const s = await setup();
    const jobId = batchJobId(s.ingestionId, 2);
    const batch = { ...batchOf(s, 2, texts), rows: [{ rowId: "x", line: 1, text: "", payload: {} }] };
    await s.queue.add(EMBED_JOB, batch, { ...batchJobOptions({ attempts: 3, backoffMs: 10 }), jobId });
    expect(await finished(s.queue, jobId)).toBe("failed");
    const job = await s.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^invalid batch payload: rows\.0\.text: /);
    // The batch is still recorded against its ingestion, found from the job id.
    expect(await redis.hget(ingestionKeys(s.prefix, s.ingestionId).failed, "2")).toBe(job?.failedReason);
  });

  it("retries an unreachable store with backoff, then ends the batch failed with the reason", async () => {
    const closed = await startQdrantLocal({ port: 0 });
    await closed.close();
    const unreachable = createQdrantConnection({ url: closed.url, timeoutMs: 2000 });
    cleanups.push(() => unreachable.close());
    const s = await setup({ qdrant: unreachable });
    const jobId = batchJobId(s.ingestionId, 3);
    await s.queue.add(EMBED_JOB, batchOf(s, 3, texts), {
      ...batchJobOptions({ attempts: 2, backoffMs: 10 }),
      jobId,
    });
    expect(await finished(s.queue, jobId)).toBe("failed");
    const job = await s.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(2);
    expect(job?.failedReason).toBe(
      `upsert of 3 points into "${s.collection}" failed: Qdrant unreachable (ECONNREFUSED) (after 3 upsert attempts)`,
    );
    const progress = await redis.hgetall(ingestionKeys(s.prefix, s.ingestionId).hash);
    expect(progress.batchesFailed).toBe("1");
    expect(progress.batchesDone).toBe("0");
  });

  it("waits out a store that comes back within the upsert retries", async () => {
    const dir = `/tmp/embed-worker-test-${randomUUID().slice(0, 8)}`;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let store = await startQdrantLocal({ port: 0, storage: dir });
    const port = store.port;
    const client = createQdrantConnection({ url: store.url, timeoutMs: 2000 });
    cleanups.push(() => client.close());
    const s = await setup({ qdrant: client, storeRetry: { attempts: 8, baseMs: 100, maxMs: 400 } });
    await ensureCollection(client, s.collection, { ...models, distance: "Cosine", sparseModifier: "idf" });
    await store.close();
    const jobId = batchJobId(s.ingestionId, 4);
    await s.queue.add(EMBED_JOB, batchOf(s, 4, texts), { ...batchJobOptions({ attempts: 1 }), jobId });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await s.queue.getJobState(jobId)).toBe("active");
    store = await startQdrantLocal({ port, storage: dir });
    cleanups.push(() => store.close());
    expect(await finished(s.queue, jobId)).toBe("completed");
    expect((await clientFor(store.url).count(s.collection, { exact: true })).count).toBe(3);
  });
});
