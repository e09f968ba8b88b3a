import { BatchJob, type BatchRef, type BatchResult, type ModelSpec, parseBatchJobId } from "@hybrid/queue";
import { isAppError } from "@hybrid/service-kit";
import { type HybridPoint, pointId, type QdrantClient, upsertPoints } from "@hybrid/store";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { type BackoffOptions, retryWithBackoff } from "./retry-with-backoff.js";

/** What a batch needs of `@hybrid/embeddings`' `HybridEncoder`. */
export interface BatchEncoder {
  dense: { embedDocuments(texts: string[]): Promise<number[][]> };
  sparse: { embedDocuments(texts: string[]): Promise<Array<{ indices: number[]; values: number[] }>> };
}

export interface BatchDeps {
  encoder: BatchEncoder;
  /** The models this worker runs; a batch built for others is refused. */
  models: ModelSpec;
  qdrant: QdrantClient;
  /** Upsert retries within one delivery. */
  storeRetry: BackoffOptions;
  /** Counts the batch done (idempotent per batch). */
  recordDone: (batch: BatchRef, points: number) => Promise<unknown>;
  /** Records a batch that has used its last attempt, with its reason (idempotent per batch). */
  recordFailed: (batch: BatchRef, reason: string) => Promise<unknown>;
  logger: Logger;
  /** Called when the encoder itself failed (not the input): `main` probes it and exits if it is broken. */
  onEncoderFailure?: (error: EncoderFailure) => unknown;
  sleep?: (ms: number) => Promise<void>;
}

/** The encoder threw (its ONNX runner died, say): every batch would fail the same way until the worker restarts. */
export class EncoderFailure extends Error {
  override readonly name = "EncoderFailure";
}

/** Where this delivery stands among the job's attempts (BullMQ's `attemptsMade` counts finished failed tries). */
export interface BatchAttempt {
  jobId: string | undefined;
  attemptsMade: number;
  attempts: number;
}

/**
 * One delivery of a batch job: validate, check models, dense and sparse concurrently, one upsert (`wait: true`)
 * with deterministic ids, then count it done. Throws `UnrecoverableError` for what no retry can fix (bad payload,
 * other models, a store error that is not retryable); rethrows the rest for BullMQ's attempts. A batch whose last
 * attempt fails is recorded as failed with its reason before the error goes on.
 */
export async function processBatch(
  data: unknown,
  attempt: BatchAttempt,
  deps: BatchDeps,
): Promise<BatchResult> {
  let ref: BatchRef | undefined = attempt.jobId ? parseBatchJobId(attempt.jobId) : undefined;
  try {
    const parsed = BatchJob.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`);
      throw new UnrecoverableError(`invalid batch payload: ${issues.slice(0, 5).join("; ")}`);
    }
    const batch = parsed.data;
    ref = { ingestionId: batch.ingestionId, batchIndex: batch.batchIndex };
    assertSameModels(batch.models, deps.models);
    const points = await embedRows(batch, deps);
    await upsertWithRetry(batch.collection, points, deps);
    await deps.recordDone(ref, points.length);
    return { points: points.length };
  } catch (error) {
    if (error instanceof EncoderFailure) void deps.onEncoderFailure?.(error);
    const final = error instanceof UnrecoverableError || attempt.attemptsMade + 1 >= attempt.attempts;
    if (final && ref) await recordFailure(ref, error, deps);
    throw error;
  }
}

function assertSameModels(batch: ModelSpec, worker: ModelSpec): void {
  if (batch.dense === worker.dense && batch.denseDim === worker.denseDim && batch.sparse === worker.sparse)
    return;
  throw new UnrecoverableError(
    `batch built for models ${describeModels(batch)} but this worker runs ${describeModels(worker)}; ` +
      "start workers with the collection's models",
  );
}

function describeModels(m: ModelSpec): string {
  return `${m.dense} (${m.denseDim}d) + ${m.sparse}`;
}

/**
 * Dense and sparse vectors of every row, as points with deterministic ids. Vectors a row brought (`vectors`) are
 * used as they are; the models run, concurrently, only for the rest (not at all when every row has its vectors).
 */
export async function embedRows(batch: BatchJob, deps: Pick<BatchDeps, "encoder">): Promise<HybridPoint[]> {
  const needDense = batch.rows.filter((row) => !row.vectors);
  const needSparse = batch.rows.filter((row) => !row.vectors?.sparse);
  const [dense, sparse] = await Promise.all([
    needDense.length ? deps.encoder.dense.embedDocuments(needDense.map((row) => row.text)) : [],
    needSparse.length ? deps.encoder.sparse.embedDocuments(needSparse.map((row) => row.text)) : [],
  ]).catch((error: unknown) => {
    throw new EncoderFailure(`encoder failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  });
  if (dense.length !== needDense.length || sparse.length !== needSparse.length) {
    throw new UnrecoverableError(
      `encoder returned ${dense.length} dense and ${sparse.length} sparse vectors for ${needDense.length} and ` +
        `${needSparse.length} texts`,
    );
  }
  let nextDense = 0;
  let nextSparse = 0;
  return batch.rows.map((row) => {
    const vector = row.vectors?.dense ?? dense[nextDense++] ?? [];
    if (vector.length !== batch.models.denseDim) {
      throw new UnrecoverableError(
        `dense vector of row ${row.rowId} (line ${row.line}) has ${vector.length} dimensions, expected ${batch.models.denseDim}`,
      );
    }
    return {
      id: pointId(batch.collection, row.rowId, row.chunk),
      dense: vector,
      sparse: row.vectors?.sparse ?? sparse[nextSparse++] ?? { indices: [], values: [] },
      payload: row.payload,
    };
  });
}

async function upsertWithRetry(collection: string, points: HybridPoint[], deps: BatchDeps): Promise<void> {
  try {
    await retryWithBackoff(
      () => upsertPoints(deps.qdrant, collection, points, { wait: true }),
      deps.storeRetry,
      {
        shouldRetry: (error) => isAppError(error) && error.retryable,
        onRetry: (error, attempt, delayMs) =>
          deps.logger.warn({ err: error, collection, attempt, delayMs }, "upsert failed, retrying"),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    );
  } catch (error) {
    if (isAppError(error) && !error.retryable) throw new UnrecoverableError(error.message);
    if (isAppError(error)) {
      throw new Error(`${error.message} (after ${deps.storeRetry.attempts} upsert attempts)`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function recordFailure(ref: BatchRef, error: unknown, deps: BatchDeps): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  try {
    await deps.recordFailed(ref, reason);
  } catch (recordError) {
    // The job still ends failed in BullMQ with the same reason; only the progress counter misses it.
    deps.logger.warn(
      { err: recordError, ...ref },
      "could not record the failed batch in the progress counters",
    );
  }
}
