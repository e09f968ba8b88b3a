import { EMBED_JOB, isVanishedJob, QUEUE, WORKER_RETRY_DELAY_MS } from "@hybrid/queue";
import { type ConnectionOptions, type Job, Worker } from "bullmq";
import type { Logger } from "pino";
import { type BatchDeps, processBatch } from "./process-batch.js";

export interface EmbedWorkerOptions {
  connection: ConnectionOptions;
  /** Queue prefix of the deployment (`QUEUE_PREFIX`). */
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  deps: BatchDeps;
  logger: Logger;
}

/**
 * The BullMQ worker on the embed queue. A batch whose worker dies is taken over by another once its lock expires
 * (`lockDurationMs` + up to `stalledIntervalMs`); a batch that stalls more than twice (it kills its workers) fails.
 */
export function createEmbedWorker(options: EmbedWorkerOptions): Worker {
  const { logger, deps } = options;
  const worker = new Worker(
    QUEUE.embed,
    async (job: Job) => {
      if (job.name !== EMBED_JOB)
        logger.warn({ jobId: job.id, name: job.name }, "unexpected job name on the embed queue");
      const started = performance.now();
      logger.debug({ jobId: job.id, attempt: job.attemptsMade + 1 }, "batch started");
      const result = await processBatch(
        job.data,
        { jobId: job.id, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 },
        deps,
      );
      logger.debug(
        { jobId: job.id, points: result.points, ms: Math.round(performance.now() - started) },
        "batch done",
      );
      return result;
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: 2,
      runRetryDelay: WORKER_RETRY_DELAY_MS,
      autorun: false,
    },
  );
  worker.on("failed", (job, error) => {
    const final = job
      ? job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === "UnrecoverableError"
      : true;
    logger[final ? "error" : "warn"](
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: error },
      final ? "batch failed for good" : "batch failed, BullMQ will retry",
    );
  });
  worker.on("stalled", (jobId) =>
    logger.warn({ jobId }, "batch stalled (its worker died or was blocked): requeued"),
  );
  worker.on("error", (error) => {
    if (isVanishedJob(error)) {
      logger.warn(
        { err: error },
        "a batch this worker held is gone or no longer its own (Redis failover or expired lock); it is redone",
      );
    } else logger.error({ err: error }, "worker error");
  });
  return worker;
}
