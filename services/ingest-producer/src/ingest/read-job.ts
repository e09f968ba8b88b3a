import {
  BatchJob,
  type BatchRow,
  batchJobId,
  batchJobOptions,
  EMBED_JOB,
  ingestionKeys,
  type ReadJob,
} from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { type Job, UnrecoverableError } from "bullmq";
import { createRowMapper, neededColumns } from "../rows/map-row.js";
import { openSource } from "../sources/open-source.js";
import type { OpenedSource, SkipReason } from "../sources/raw-record.js";
import { VECTOR_SET_FIELDS } from "../sources/vector-set-source.js";
import { recordPointsOf } from "./batch-points.js";
import {
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_SOURCE_IDLE_TIMEOUT_MS,
  type IngestDeps,
  SKIPPED_KEPT,
} from "./ingest-deps.js";
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
}

const FLUSH_EVERY_MS = 500;

/**
 * Processes a `read` job: streams the source, maps rows, adds one batch job per `batchSize` rows under the
 * ingestion's finalize job, and keeps the progress hash current. Pauses while too many batches are pending
 * (backpressure), stops early when the ingestion is cancelled (within about half a second, even while the source is
 * silent), and fails when the source sends nothing for `sourceIdleTimeoutMs`. A re-run (after a crash) starts over:
 * counters are reset and batches that already exist or are recorded done are not added again. A read that fails for
 * good still queues the rows read before the failure; one that will be retried leaves them to the next attempt.
 */
export async function processReadJob(
  job: Job<ReadJob>,
  data: ReadJob,
  deps: IngestDeps,
): Promise<ReadResult> {
  const { ingestionId, request, models, batchSize } = data;
  const keys = ingestionKeys(deps.prefix, ingestionId);
  const parentId = job.parent?.id;
  const parentQueue = job.parent?.queueKey;
  if (!parentId || !parentQueue) throw new UnrecoverableError("read job has no parent finalize job");
  const parent = await deps.ingestQueue.getJob(parentId);
  if (!parent) throw new UnrecoverableError(`finalize job ${parentId} is gone`);
  const rerun = job.attemptsMade > 0 || (await deps.redis.hexists(keys.hash, "startedAt")) === 1;

  const counts = { rowsRead: 0, rowsSkipped: 0, rowsCollided: 0, chunks: 0, batchesQueued: 0 };
  const skippedBy = new Map<SkipReason, number>();
  const skippedKept: string[] = [];
  let skippedPushed = 0;
  const collisionsKept: string[] = [];
  let collisionsPushed = 0;
  let lastCollisionLine: number | undefined;
  let cancelled = false;

  const reasons = await deps.redis.hkeys(keys.hash);
  const stale = reasons.filter((f) => f.startsWith("skipped."));
  await deps.redis
    .multi()
    .hset(keys.hash, { state: "reading", startedAt: Date.now(), ...counts })
    .del(keys.skipped, keys.collisions)
    .hdel(keys.hash, "readDoneAt", ...(stale.length ? stale : ["skipped.none"]))
    .exec();

  let source: OpenedSource | undefined;
  const flush = async () => {
    const bytes = source?.bytes() ?? { read: 0 };
    const fields: Record<string, string | number> = { ...counts, bytesRead: bytes.read };
    if (bytes.total !== undefined) fields.bytesTotal = bytes.total;
    for (const [reason, n] of skippedBy) fields[`skipped.${reason}`] = n;
    const tx = deps.redis.multi().hset(keys.hash, fields);
    const fresh = skippedKept.slice(skippedPushed);
    if (fresh.length) tx.rpush(keys.skipped, ...fresh);
    skippedPushed = skippedKept.length;
    const freshCollisions = collisionsKept.slice(collisionsPushed);
    if (freshCollisions.length) tx.rpush(keys.collisions, ...freshCollisions);
    collisionsPushed = collisionsKept.length;
    tx.hget(keys.hash, "cancelRequested");
    const results = await tx.exec();
    cancelled = results?.at(-1)?.[1] === "1";
  };

  // A cancel (possibly sent to another producer) and a stalled source both end the read within seconds, even
  // while it waits on the source; the guard's checks also keep the progress current during a stall.
  const guard = createReadGuard({
    idleTimeoutMs: deps.limits.sourceIdleTimeoutMs ?? DEFAULT_SOURCE_IDLE_TIMEOUT_MS,
    check: async () => {
      await flush();
      return cancelled;
    },
  });
  try {
    source = await guard.step(openSource(request.source, deps.sources, guard.signal, neededColumns(request)));
  } catch (error) {
    await guard.close();
    if (!guard.cancelled) throw asJobError(guard.timedOut ?? error);
    await removePendingBatches(deps, parent);
    return { ...counts, cancelled: true };
  }
  const opened = source;
  guard.watchBytes(() => opened.bytes().read);
  const mapRow = createRowMapper(rowSpecOf(request), opened.key, models.denseDim);
  await deps.redis.hset(keys.hash, {
    reader: JSON.stringify(opened.reader),
    ...(opened.rowsTotal !== undefined ? { rowsTotal: opened.rowsTotal } : {}),
  });

  const waitForCapacity = async () => {
    for (;;) {
      const { unprocessed = 0 } = await parent.getDependenciesCount({ unprocessed: true });
      // The read job itself is one of the parent's unprocessed children.
      if (unprocessed - 1 < deps.limits.maxPendingBatches || cancelled) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await flush();
    }
  };

  const options = batchJobOptions({
    attempts: deps.limits.batchAttempts,
    backoffMs: deps.limits.batchBackoffMs,
  });
  let batch: BatchRow[] = [];
  let batchBytes = 0;
  const maxBatchBytes = deps.limits.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  const addBatch = async () => {
    const batchIndex = counts.batchesQueued;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    await waitForCapacity();
    if (cancelled) return;
    counts.batchesQueued = batchIndex + 1;
    const collisions = await recordPointsOf(deps, {
      ingestionId,
      collection: request.collection,
      batchIndex,
      rows,
    });
    for (const collision of collisions) {
      // The chunks of one row may straddle two batches: count the row once.
      if (collision.line === lastCollisionLine) continue;
      lastCollisionLine = collision.line;
      counts.rowsCollided += 1;
      if (collisionsKept.length < SKIPPED_KEPT) collisionsKept.push(JSON.stringify(collision));
    }
    if (rerun && (await deps.redis.sismember(keys.done, String(batchIndex))) === 1) return;
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
      parent: { id: parentId, queue: parentQueue },
    });
  };

  let lastFlush = Date.now();
  const records = opened.records[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await guard.step(records.next());
      if (next.done) break;
      const record = next.value;
      counts.rowsRead += 1;
      const mapped = mapRow(record);
      if ("skip" in mapped) {
        counts.rowsSkipped += 1;
        skippedBy.set(mapped.skip, (skippedBy.get(mapped.skip) ?? 0) + 1);
        if (skippedKept.length < SKIPPED_KEPT) {
          skippedKept.push(
            JSON.stringify({ line: record.line, reason: mapped.skip, message: mapped.message }),
          );
        }
      } else {
        for (const row of mapped.rows) {
          batch.push(row);
          // Payload and text of the row; a chunked row's payload is counted once per chunk, as it is stored.
          batchBytes += record.bytes + Buffer.byteLength(row.text);
          counts.chunks += 1;
          if (batch.length >= batchSize || batchBytes >= maxBatchBytes) await addBatch();
        }
      }
      if (Date.now() - lastFlush >= FLUSH_EVERY_MS) {
        lastFlush = Date.now();
        await flush();
      }
      if (cancelled) break;
    }
    if (batch.length > 0 && !cancelled) await addBatch();
  } catch (error) {
    // The abandoned reader ends once its aborted fetch rejects; nobody waits for it.
    void records.return?.().catch(() => undefined);
    if (!guard.cancelled) {
      await guard.close();
      const jobError = asJobError(guard.timedOut ?? error);
      const final =
        guard.timedOut !== undefined ||
        jobError instanceof UnrecoverableError ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // Rows read before a final failure are embedded (a retry would read them again, and find the batch taken).
      if (final && batch.length > 0 && !cancelled) {
        await addBatch().catch((addError: unknown) =>
          deps.logger.warn(
            { err: addError, ingestionId },
            "could not queue the rows read before the failure",
          ),
        );
      }
      await flush().catch(() => undefined);
      throw jobError;
    }
    cancelled = true;
  } finally {
    await guard.close();
  }
  await flush();
  if (cancelled) {
    await removePendingBatches(deps, parent);
    return { ...counts, cancelled };
  }
  await deps.redis.hset(keys.hash, { state: "embedding", readDoneAt: Date.now() });
  return { ...counts, cancelled };
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
