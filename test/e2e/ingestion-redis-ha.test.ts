import { randomUUID } from "node:crypto";
import { createRedis, waitForReplicas } from "@hybrid/queue";
import { describe, expect, it } from "vitest";
import {
  cutReplication,
  makeTempDir,
  type QdrantLocalProcess,
  type RedisNodeProcess,
  replicaPorts,
  startQdrantLocalProcess,
  startRedisCluster,
  startRedisSentinel,
} from "../src/harness/index.js";
import {
  countPoints,
  type JobView,
  startIngestionStack,
  storedRowIds,
  submitRows,
  waitForJob,
} from "./ingestion-support.js";

/**
 * BullMQ past one Redis: the producer and two workers run an ingestion through a real Redis Cluster (3 masters,
 * 2 replicas each) and through a Sentinel-managed master (2 replicas), every master running with
 * `min-replicas-to-write 1` as a deployment should. The master holding the queues is killed mid-job and Redis
 * promotes a replica; in the second case of each, the replicas had fallen behind first, so the promoted one lacks
 * the master's last writes (added batches, finished jobs, progress). On the cluster the first failover is also slow
 * (its replicas held back for 6 s, as Redis' default 15 s node timeout would): longer than the jobs' locks and the
 * workers' block timeout. Either way the job completes with exactly the expected points and counts, within a bounded
 * time, and every process is still running.
 */

interface Topology {
  url: string;
  /** The master serving the deployment's keys now. */
  master(): Promise<RedisNodeProcess>;
  /** Resolves once a master other than `port` serves the deployment's keys. */
  failedOver(port: number): Promise<void>;
  /** The servers replicating from `master` now. */
  replicasOf(master: RedisNodeProcess): Promise<RedisNodeProcess[]>;
}

// How long the first case holds the killed master's replicas back before they may take over.
const topologies: Array<[string, (prefix: string) => Promise<Topology>, number]> = [
  [
    "a Redis Cluster",
    async (prefix) => {
      const cluster = await startRedisCluster({ masters: 3, replicas: 2 });
      // Every key of the deployment carries the hash tag `{prefix}`, so one master holds them all.
      const slot = `{${prefix}}`;
      return {
        url: cluster.url,
        master: () => cluster.masterOf(slot),
        failedOver: async (port) => void (await cluster.waitForFailover(slot, port)),
        replicasOf: async (master) => {
          const ports = await replicaPorts(master.port);
          return cluster.nodes.filter((n) => ports.includes(n.port));
        },
      };
    },
    6000,
  ],
  [
    "Redis Sentinel",
    async () => {
      const sentinel = await startRedisSentinel({ replicas: 2, sentinels: 3 });
      return {
        url: sentinel.url,
        master: async () => {
          const port = await sentinel.currentMaster();
          const master = sentinel.servers.find((s) => s.port === port);
          if (!master) throw new Error(`no server on the master's port ${port}`);
          return master;
        },
        failedOver: (port) =>
          waitFor(async () => {
            const now = await sentinel.currentMaster();
            return now !== undefined && now !== port;
          }),
        replicasOf: async (master) => sentinel.servers.filter((s) => s !== master),
      };
    },
    0,
  ],
];

describe.each(topologies)("ingestion on %s", (_name, start, holdBackMs) => {
  it("survives the loss of the master holding the queues", async () => {
    const prefix = `e2e-ha-${randomUUID().slice(0, 8)}`;
    const [topology, qdrant] = await Promise.all([start(prefix), startQdrantLocalProcess()]);
    const job = await runUntilMidJob(topology.url, prefix, qdrant);
    const master = await topology.master();
    const replicas = await topology.replicasOf(master);
    await master.process.kill();
    if (holdBackMs > 0) {
      for (const replica of replicas) replica.process.signal("SIGSTOP");
      await new Promise((resolve) => setTimeout(resolve, holdBackMs));
      for (const replica of replicas) replica.process.signal("SIGCONT");
    }
    await topology.failedOver(master.port);

    await expectComplete(job);
  });

  it("survives the loss of a master whose replicas missed its last writes", async () => {
    const prefix = `e2e-ha-${randomUUID().slice(0, 8)}`;
    const [topology, qdrant] = await Promise.all([start(prefix), startQdrantLocalProcess()]);
    const job = await runUntilMidJob(topology.url, prefix, qdrant);
    const redis = createRedis(topology.url);
    try {
      const master = await topology.master();
      // WAIT goes to the master serving the prefix's slot: it confirms a write there while the replicas follow...
      const before = `{${prefix}}:e2e-before-cut`;
      await redis.set(before, "1");
      expect(await waitForReplicas(redis, before, 1, 5000)).toBeGreaterThanOrEqual(1);
      const reconnect = await cutReplication(master.port);
      // ...and no more once they do not.
      const after = `{${prefix}}:e2e-after-cut`;
      await redis.set(after, "1");
      expect(await waitForReplicas(redis, after, 1, 300)).toBe(0);
      // The stack writes what no replica gets: at least one more batch done, and what goes with it (a new batch
      // queued, progress); not for long, since Sentinel promotes no replica that lost its master 20 s before.
      const cut = await job.view();
      await waitForJob(job.stack.producer, job.id, (j) => j.batches.done > cut.batches.done, 15_000);
      await master.process.kill();
      await reconnect();
      await topology.failedOver(master.port);
      // The promoted replica has what was confirmed and lacks what came after the cut.
      expect(await redis.get(before)).toBe("1");
      expect(await redis.get(after)).toBeNull();
    } finally {
      redis.disconnect();
    }

    await expectComplete(job);
  });
});

async function runUntilMidJob(redisUrl: string, prefix: string, qdrant: QdrantLocalProcess) {
  const dataDir = makeTempDir("e2e-ingest-ha-");
  const env = { QUEUE_PREFIX: prefix };
  const stack = await startIngestionStack({
    qdrantUrl: qdrant.url,
    redisUrl,
    dataDir,
    workers: 2,
    workerEnv: env,
    // A read that queues batches as they are done, so it is still queueing when the master dies; a read or finalize
    // job whose completion a failover lost is taken up again within seconds.
    producerEnv: { ...env, MAX_PENDING_BATCHES: "2", INGEST_LOCK_MS: "4000" },
  });
  // The 202 means the ingestion is on a replica (REDIS_WAIT_REPLICAS defaults to 1 on these URLs).
  const job = await submitRows(stack, dataDir, "ha", { rows: 240, words: 30 });
  const before = await waitForJob(stack.producer, job.id, (j) => j.batches.done >= 3);
  expect(before.batches.done).toBeLessThan(12);
  const view = () => waitForJob(stack.producer, job.id, () => true);
  return { ...job, stack, qdrant, view };
}

async function expectComplete(job: Awaited<ReturnType<typeof runUntilMidJob>>) {
  // Recovery is bounded: lock expiries of a few seconds, BullMQ's retries, at most a re-read of the source.
  const done: JobView = await waitForJob(job.stack.producer, job.id, undefined, 90_000);
  expect(done).toMatchObject({ state: "completed", batches: { queued: 15, done: 15, failed: 0 } });
  expect(done.rows).toMatchObject({ read: 240, upserted: 240, failed: 0, pending: 0 });
  expect(done.points.upserted).toBe(240);
  expect(await countPoints(job.qdrant.url, job.collection)).toBe(240);
  expect(await storedRowIds(job.qdrant.url, job.collection)).toEqual(job.rowIds);
  // No process crashed or gave up along the way.
  for (const service of [job.stack.producer, ...job.stack.workers])
    expect(service.process.hasExited(), service.name).toBe(false);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
