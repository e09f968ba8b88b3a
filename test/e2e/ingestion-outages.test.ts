import { describe, expect, it } from "vitest";
import { makeTempDir, startQdrantLocalProcess, startRedisServer } from "../src/harness/index.js";
import {
  countPoints,
  logLines,
  startIngestionStack,
  storedRowIds,
  submitRows,
  waitForJob,
} from "./ingestion-support.js";

/** The store and Redis go away in the middle of a job and come back: the job completes, nothing lost or doubled. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ingestion through outages", () => {
  it("completes with every point when the store stops mid-job and comes back", async () => {
    const dataDir = makeTempDir("e2e-ingest-store-");
    const qdrant = await startQdrantLocalProcess({ storage: makeTempDir("e2e-qdrant-storage-") });
    const stack = await startIngestionStack({ qdrantUrl: qdrant.url, dataDir, workers: 1 });
    const job = await submitRows(stack, dataDir, "storeout", { rows: 240, words: 30 });
    const before = await waitForJob(stack.producer, job.id, (j) => j.batches.done >= 3);
    expect(before.batches.done).toBeLessThan(15);
    await qdrant.stop();
    await sleep(3000);
    await qdrant.restart();

    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 15, done: 15, failed: 0 } });
    expect(done.points.upserted).toBe(240);
    // The outage really hit a batch: the worker retried its upsert.
    const retries = stack.workers.flatMap((worker) => logLines(worker, "upsert failed, retrying"));
    expect(retries.length).toBeGreaterThan(0);
    expect(await countPoints(qdrant.url, job.collection)).toBe(240);
    expect(await storedRowIds(qdrant.url, job.collection)).toEqual(job.rowIds);
  });

  it("completes with nothing lost or duplicated when Redis (append-only) restarts mid-job", async () => {
    const dataDir = makeTempDir("e2e-ingest-redis-");
    const redis = await startRedisServer({ appendonly: true });
    const qdrant = await startQdrantLocalProcess();
    const stack = await startIngestionStack({
      qdrantUrl: qdrant.url,
      redisUrl: redis.url,
      dataDir,
      workers: 2,
    });
    const job = await submitRows(stack, dataDir, "redisout", { rows: 240, words: 30 });
    const before = await waitForJob(stack.producer, job.id, (j) => j.batches.done >= 3);
    expect(before.batches.done).toBeLessThan(15);
    await redis.restart();

    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 15, done: 15, failed: 0 } });
    // Counted once per batch even when a batch ran twice around the restart.
    expect(done.points.upserted).toBe(240);
    expect(await countPoints(qdrant.url, job.collection)).toBe(240);
    expect(await storedRowIds(qdrant.url, job.collection)).toEqual(job.rowIds);
  });
});
