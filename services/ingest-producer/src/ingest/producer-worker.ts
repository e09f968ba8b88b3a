import { FinalizeJob, INGEST_JOB, isVanishedJob, QUEUE, ReadJob, WORKER_RETRY_DELAY_MS } from "@hybrid/queue";
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from "bullmq";
import { processFinalizeJob } from "./finalize-job.js";
import type { IngestDeps } from "./ingest-deps.js";
import { processReadJob } from "./read-job.js";

/**
 * The producer's own BullMQ worker on the ingest queue: runs `read` jobs (stream a source into batches) and
 * `finalize` jobs (close an ingestion once its children are processed). Payloads are checked first; one that
 * fails its schema is unrecoverable.
 */
export function createProducerWorker(
  deps: IngestDeps,
  connection: ConnectionOptions,
  options: { concurrency?: number; lockDurationMs?: number } = {},
): Worker {
  const worker = new Worker(
    QUEUE.ingest,
    async (job: Job, token?: string) => {
      if (job.name === INGEST_JOB.read) {
        const data = ReadJob.safeParse(job.data);
        if (!data.success) throw new UnrecoverableError(`invalid read job: ${data.error.message}`);
        return processReadJob(job, data.data, deps);
      }
      if (job.name === INGEST_JOB.finalize) {
        const data = FinalizeJob.safeParse(job.data);
        if (!data.success) throw new UnrecoverableError(`invalid finalize job: ${data.error.message}`);
        return processFinalizeJob(job, data.data, deps, token);
      }
      throw new UnrecoverableError(`unknown job "${job.name}" on the ingest queue`);
    },
    {
      connection,
      prefix: deps.prefix,
      concurrency: options.concurrency ?? 4,
      // A read job of a crashed producer is handed to another one after about this long.
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.lockDurationMs ?? 30_000,
      runRetryDelay: WORKER_RETRY_DELAY_MS,
    },
  );
  worker.on("failed", (job, error) => {
    deps.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, "ingest job failed");
  });
  worker.on("stalled", (jobId) =>
    deps.logger.warn({ jobId }, "ingest job stalled (its producer died or lost the lock): requeued"),
  );
  worker.on("error", (error) => {
    if (isVanishedJob(error)) {
      deps.logger.warn(
        { err: error },
        "an ingest job this producer held is gone or no longer its own (Redis failover or expired lock); it is redone",
      );
    } else deps.logger.error({ err: error }, "ingest worker error");
  });
  return worker;
}
