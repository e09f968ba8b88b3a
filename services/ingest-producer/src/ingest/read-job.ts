import {
  BatchJob,
  batchJobId,
  batchJobOptions,
  EMBED_JOB,
  isBatchDone,
  markReadDone,
  parseReadJobId,
  type ReadCheckpoint,
  type ReadJob,
  type ReadPosition,
  readProgress,
  recordCheckpoint,
  recordReadSource,
  startRead,
  writeReadProgress,
} from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { type Job, UnrecoverableError } from "bullmq";
import { createRowMapper, neededColumns } from "../rows/map-row.js";
import { openSource } from "../sources/open-source.js";
import type { OpenedSource } from "../sources/raw-record.js";
import { VECTOR_SET_FIELDS } from "../sources/vector-set-source.js";
import { recordPointsOf } from "./batch-points.js";
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_SOURCE_IDLE_TIMEOUT_MS, type IngestDeps } from "./ingest-deps.js";
import { batchRows } from "./read/batch-rows.js";
import { type BatchSink, enqueueBatches } from "./read/enqueue-batches.js";
import { mapRows } from "./read/map-rows.js";
import { pendingCapacity } from "./read/pending-capacity.js";
import { createReadTally } from "./read/read-tally.js";
import { readSourceItems } from "./read/source-items.js";
import { createReadGuard } from "./read-guard.js";
import { removePendingBatches } from "./remove-pending.js";

export interface ReadResult {
  rowsRead: number;
  rowsSkipped: number;
  /** Rows that landed on the point of an earlier row (same id): Qdrant keeps the last one written. */
  rowsCollided: number;
  chunks: number;
  batchesQueued: number;
  cancelled: boolean;
  /** Where this run started when it carried on from an earlier run's checkpoint (a source read by row group). */
  resumedFrom?: ReadPosition | undefined;
}

/**
 * Processes a `read` job: the source streams through source -> rows -> chunks -> batches -> enqueue, each batch
 * added under the ingestion's finalize job, while the read guard keeps the progress current, ends the read on a
 * cancel (within about half a second, even while the source is silent) and fails it when the source sends nothing
 * for `sourceIdleTimeoutMs`. The enqueue stage waits while too many batches are pending, and the stages upstream
 * read nothing meanwhile. A re-run (after a crash) starts at the last checkpoint of a source read by row group,
 * else over from the start; batches that already exist or are recorded done are not added again. A read that fails
 * for good still queues the rows read before the failure; one that will be retried leaves them to the next attempt.
 */
export async function processReadJob(
  job: Job<ReadJob>,
  data: ReadJob,
  deps: IngestDeps,
): Promise<ReadResult> {
  const { ingestionId, request } = data;
  const parentId = job.parent?.id;
  const parentQueue = job.parent?.queueKey;
  if (!parentId || !parentQueue) throw new UnrecoverableError("read job has no parent finalize job");
  const parent = await deps.ingestQueue.getJob(parentId);
  if (!parent) throw new UnrecoverableError(`finalize job ${parentId} is gone`);
  const earlier = await readProgress(deps.redis, deps.prefix, ingestionId);
  const rerun = job.attemptsMade > 0 || earlier?.startedAt !== undefined;
  // A later pass (the finalize job reading the source again for batches a Redis failover lost) starts at the top:
  // the lost batches can lie before any checkpoint.
  const laterPass = (parseReadJobId(job.id ?? "")?.pass ?? 1) > 1;
  let from = rerun && !laterPass ? earlier?.readPosition : undefined;

  let tally = createReadTally(from);
  let source: OpenedSource | undefined;
  const flush = async () => {
    const update = tally.takeUpdate(source?.bytes() ?? { read: 0 });
    return writeReadProgress(deps.redis, deps.prefix, ingestionId, update);
  };
  // A cancel (possibly sent to another producer) and a stalled source both end the read within seconds, even
  // while it waits on the source; the guard's checks also keep the progress current.
  const guard = createReadGuard({
    idleTimeoutMs: deps.limits.sourceIdleTimeoutMs ?? DEFAULT_SOURCE_IDLE_TIMEOUT_MS,
    check: async () => (await flush()).cancelRequested,
  });
  const result = (cancelled: boolean): ReadResult => {
    const { skippedBy: _, ...counts } = tally.counts();
    return { ...counts, cancelled, resumedFrom: source?.resumedFrom };
  };

  await startRead(deps.redis, deps.prefix, ingestionId, from);
  try {
    source = await guard.step(
      openSource(request.source, deps.sources, guard.signal, neededColumns(request), from?.position),
    );
  } catch (error) {
    await guard.close();
    if (!guard.cancelled) throw asJobError(guard.timedOut ?? error);
    await removePendingBatches(deps, parent);
    return result(true);
  }
  if (from && !source.resumedFrom) {
    // The source could not start there after all: it starts over, and so do the counts.
    from = undefined;
    tally = createReadTally();
    await startRead(deps.redis, deps.prefix, ingestionId, undefined);
  }
  const opened = source;
  guard.watchBytes(() => opened.bytes().read);
  await recordReadSource(deps.redis, deps.prefix, ingestionId, opened);
  if (opened.resumedFrom) {
    deps.logger.info({ ingestionId, from: opened.resumedFrom }, "read resumed at its checkpoint");
  }

  const final = (error: unknown) =>
    !guard.cancelled &&
    (guard.timedOut !== undefined ||
      asJobError(error) instanceof UnrecoverableError ||
      job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  const chunks = mapRows(
    readSourceItems(opened, guard),
    createRowMapper(rowSpecOf(request), opened.key, data.models.denseDim),
    tally,
  );
  const batches = batchRows(chunks, {
    maxRows: data.batchSize,
    maxBytes: deps.limits.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    keepOnError: final,
  });
  try {
    await enqueueBatches(
      batches,
      createBatchSink(deps, data, parent, { id: parentId, queue: parentQueue }),
      tally,
      {
        cancel: guard.cancelSignal,
        rerun,
        onLostRows: (error) =>
          deps.logger.warn({ err: error, ingestionId }, "could not queue the rows read before the failure"),
      },
    );
  } catch (error) {
    if (!guard.cancelled) {
      await guard.close();
      await flush().catch(() => undefined);
      throw asJobError(guard.timedOut ?? error);
    }
  } finally {
    await guard.close();
  }
  await flush();
  if (guard.cancelled) {
    await removePendingBatches(deps, parent);
    return result(true);
  }
  await markReadDone(deps.redis, deps.prefix, ingestionId);
  return result(false);
}

/** The ingestion's queue and progress as the enqueue stage's sink. */
function createBatchSink(
  deps: IngestDeps,
  data: ReadJob,
  parentJob: Job,
  parent: { id: string; queue: string },
): BatchSink {
  const { ingestionId, request, models } = data;
  const options = batchJobOptions({
    attempts: deps.limits.batchAttempts,
    backoffMs: deps.limits.batchBackoffMs,
  });
  return {
    waitForCapacity: pendingCapacity(parentJob, deps.limits.maxPendingBatches),
    recordPoints: (batchIndex, rows) =>
      recordPointsOf(deps, { ingestionId, collection: request.collection, batchIndex, rows }),
    isDone: (batchIndex) => isBatchDone(deps.redis, deps.prefix, { ingestionId, batchIndex }),
    async add(batchIndex, rows) {
      const payload = BatchJob.parse({
        v: 1,
        ingestionId,
        collection: request.collection,
        batchIndex,
        models,
        rows,
      });
      await deps.embedQueue.add(EMBED_JOB, payload, {
        ...options,
        jobId: batchJobId(ingestionId, batchIndex),
        parent,
      });
    },
    recordCheckpoint: (checkpoint: ReadCheckpoint) =>
      recordCheckpoint(deps.redis, deps.prefix, ingestionId, checkpoint),
  };
}

/** A vector set's rows carry their vectors under fixed fields: the request's `vectors` point there. */
function rowSpecOf(request: ReadJob["request"]): ReadJob["request"] {
  if (request.source.type !== "vectors") return request;
  const { source } = request;
  return {
    ...request,
    vectors: {
      dense: VECTOR_SET_FIELDS.dense,
      ...(source.sparse ? { sparse: VECTOR_SET_FIELDS.sparse } : {}),
      ...(request.vectors?.model ? { model: request.vectors.model } : {}),
    },
  };
}

/** A non-retryable AppError (bad source, too large, not found) must not be retried: BullMQ's UnrecoverableError. */
function asJobError(error: unknown): Error {
  if (error instanceof AppError && !error.retryable)
    return new UnrecoverableError(`${error.code}: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}
