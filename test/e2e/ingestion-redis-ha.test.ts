import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  makeTempDir,
  startQdrantLocalProcess,
  startRedisCluster,
  startRedisSentinel,
} from "../src/harness/index.js";
import {
  countPoints,
  startIngestionStack,
  storedRowIds,
  submitRows,
  waitForJob,
} from "./ingestion-support.js";

/**
 * BullMQ past one Redis: the producer and two workers run an ingestion through a real Redis Cluster (3 masters,
 * 3 replicas) and through a Sentinel-managed master; the master holding the queues is killed mid-job, a replica is
 * promoted by Redis itself, and the job completes with exactly the expected points.
 */

describe("ingestion on highly available Redis", () => {
  it("survives the loss of the cluster master that holds the queues' slot", async () => {
    const cluster = await startRedisCluster({ masters: 3, replicas: 1 });
    const prefix = `e2e-cl-${randomUUID().slice(0, 8)}`;
    const job = await runUntilMidJob(cluster.url, prefix);
    // Every key of the deployment carries the hash tag `{prefix}`, so one master holds them all.
    const master = await cluster.masterOf(`{${prefix}}`);
    await master.process.kill();
    const promoted = await cluster.waitForFailover(`{${prefix}}`, master.port);
    expect(promoted.port).not.toBe(master.port);

    await expectComplete(job);
  });

  it("survives a Sentinel failover of the master", async () => {
    const sentinel = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    const job = await runUntilMidJob(sentinel.url, `e2e-se-${randomUUID().slice(0, 8)}`);
    const [master] = sentinel.servers;
    if (!master) throw new Error("no master");
    await master.process.kill();
    await waitFor(async () => {
      const port = await sentinel.currentMaster();
      return port !== undefined && port !== master.port;
    });

    await expectComplete(job);
  });
});

async function runUntilMidJob(redisUrl: string, prefix: string) {
  const dataDir = makeTempDir("e2e-ingest-ha-");
  const qdrant = await startQdrantLocalProcess();
  const env = { QUEUE_PREFIX: prefix };
  const stack = await startIngestionStack({
    qdrantUrl: qdrant.url,
    redisUrl,
    dataDir,
    workers: 2,
    workerEnv: env,
    producerEnv: env,
  });
  const job = await submitRows(stack, dataDir, "ha", { rows: 240, words: 30 });
  const before = await waitForJob(stack.producer, job.id, (j) => j.batches.done >= 3);
  expect(before.batches.done).toBeLessThan(15);
  return { ...job, stack, qdrant };
}

async function expectComplete(job: Awaited<ReturnType<typeof runUntilMidJob>>) {
  const done = await waitForJob(job.stack.producer, job.id);
  expect(done).toMatchObject({ state: "completed", batches: { queued: 15, done: 15, failed: 0 } });
  expect(done.points.upserted).toBe(240);
  expect(await countPoints(job.qdrant.url, job.collection)).toBe(240);
  expect(await storedRowIds(job.qdrant.url, job.collection)).toEqual(job.rowIds);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
