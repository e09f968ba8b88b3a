import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BatchJob,
  type BatchResult,
  createRedis,
  EMBED_JOB,
  isTerminal,
  QUEUE,
  recordBatchDone,
  redisOptions,
} from "@hybrid/queue";
import { FlowProducer, type Job, Queue, Worker } from "bullmq";
import { pino } from "pino";
import type { IngestDeps, ResolveCollection } from "../ingest/ingest-deps.js";
import type { IngestionView } from "../ingest/ingestion-view.js";
import { getIngestion } from "../ingest/ingestions.js";
import { createProducerWorker } from "../ingest/producer-worker.js";
import type { SourcePolicy } from "../sources/open-source.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const TEST_MODELS = { dense: "test/dense", denseDim: 4, sparse: "Qdrant/bm25" };

/** Resolves every collection to TEST_MODELS without a store: for tests that exercise only the queue side. */
export const resolveWithoutStore: ResolveCollection = async () => ({ models: TEST_MODELS, created: false });

export interface TestHarness {
  deps: IngestDeps;
  prefix: string;
  /** Starts the producer's own worker (read + finalize). */
  startProducer(): Worker;
  /**
   * Starts a BullMQ worker on the embed queue standing in for services/embed-worker: it validates the batch,
   * optionally fails it, records it done and returns the points it would have written (one per row).
   */
  startEmbedStandIn(options?: {
    fail?: (job: BatchJob) => boolean;
    delayMs?: number;
    seen?: number[];
  }): Worker;
  /** Polls the ingestion until it reaches a terminal state; its view then. */
  waitForEnd(id: string, timeoutMs?: number): Promise<IngestionView>;
  close(): Promise<void>;
}

export function createTestHarness(
  overrides: {
    sources?: Partial<SourcePolicy>;
    limits?: Partial<IngestDeps["limits"]>;
    resolveCollection?: ResolveCollection;
    replication?: IngestDeps["replication"];
  } = {},
): TestHarness {
  const prefix = `test-producer-${randomUUID().slice(0, 8)}`;
  const connection = redisOptions(REDIS_URL);
  const redis = createRedis(REDIS_URL);
  const deps: IngestDeps = {
    redis,
    prefix,
    ingestQueue: new Queue(QUEUE.ingest, { connection, prefix }),
    embedQueue: new Queue(QUEUE.embed, { connection, prefix }),
    flows: new FlowProducer({ connection, prefix }),
    replication: overrides.replication ?? { replicas: 0, timeoutMs: 1000 },
    sources: {
      dataDirs: [process.cwd()],
      uploadDir: path.join(tmpdir(), `${prefix}-uploads`),
      uploadMaxBytes: 1024 * 1024,
      urlAllowHosts: ["127.0.0.1"],
      urlMaxBytes: 1024 * 1024,
      hfDatasetsUrl: "http://127.0.0.1:9",
      maxRowBytes: 64 * 1024,
      ...overrides.sources,
    },
    resolveCollection: overrides.resolveCollection ?? resolveWithoutStore,
    limits: {
      batchSize: 4,
      maxPendingBatches: 64,
      batchAttempts: 2,
      batchBackoffMs: 50,
      ...overrides.limits,
    },
    logger: pino({ level: "silent" }),
  };
  const workers: Worker[] = [];
  return {
    deps,
    prefix,
    startProducer() {
      const worker = createProducerWorker(deps, connection, { concurrency: 2 });
      workers.push(worker);
      return worker;
    },
    startEmbedStandIn(options = {}) {
      const worker = new Worker(
        QUEUE.embed,
        async (job: Job): Promise<BatchResult> => {
          if (job.name !== EMBED_JOB) throw new Error(`unexpected job ${job.name}`);
          const batch = BatchJob.parse(job.data);
          options.seen?.push(batch.batchIndex);
          if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
          if (options.fail?.(batch)) throw new Error(`store refused batch ${batch.batchIndex}`);
          await recordBatchDone(redis, prefix, batch, batch.rows.length);
          return { points: batch.rows.length };
        },
        { connection, prefix, concurrency: 2 },
      );
      workers.push(worker);
      return worker;
    },
    waitForEnd(id, timeoutMs) {
      return waitFor(async () => {
        const view = await getIngestion(deps, id);
        return isTerminal(view.state) ? view : undefined;
      }, timeoutMs);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([
        deps.ingestQueue.obliterate({ force: true }),
        deps.embedQueue.obliterate({ force: true }),
      ]);
      await Promise.all([deps.ingestQueue.close(), deps.embedQueue.close(), deps.flows.close()]);
      await rm(deps.sources.uploadDir, { recursive: true, force: true });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
