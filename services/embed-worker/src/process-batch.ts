import type { HybridEncoder } from "@hybrid/embeddings";
import { BatchJob, type BatchRef, type BatchResult, countRows, parseBatchJobId } from "@hybrid/queue";
import { isAppError } from "@hybrid/service-kit";
import {
  type CollectionModels,
  cloudModelName,
  compareModels,
  describeModels,
  type HybridPoint,
  type InferenceDocument,
  type ModelNames,
  pointId,
  type QdrantConnection,
  STORE_BM25_MODEL,
  upsertPoints,
  type WriteOrdering,
} from "@hybrid/store";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { type BackoffOptions, retryWithBackoff } from "./retry-with-backoff.js";

/** What a batch needs of `@hybrid/embeddings`' `HybridEncoder`. */
export type BatchEncoder = Pick<HybridEncoder, "encodeDocumentLists">;

/** A worker's models; no `denseDim` in INFERENCE=server, where the store embeds and checks the dimension. */
export type WorkerModels = ModelNames;

export interface BatchDeps {
  /** Absent in a worker started with INFERENCE=server: it sends documents only and loads no model. */
  encoder?: BatchEncoder;
  /** The models this worker runs; a batch built for others is refused. */
  models: WorkerModels;
  qdrant: QdrantConnection;
  /** Upsert retries within one delivery. */
  storeRetry: BackoffOptions;
  /** Upsert ordering across a shard's replicas on a Qdrant cluster (QDRANT_WRITE_ORDERING); Qdrant's default when absent. */
  writeOrdering?: WriteOrdering;
  /** Counts the batch done with its points and rows (idempotent per batch). */
  recordDone: (batch: BatchRef, points: number, rows: number) => Promise<unknown>;
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
    await deps.recordDone(ref, points.length, countRows(batch.rows));
    return { points: points.length };
  } catch (error) {
    if (error instanceof EncoderFailure) void deps.onEncoderFailure?.(error);
    const final = error instanceof UnrecoverableError || attempt.attemptsMade + 1 >= attempt.attempts;
    if (final && ref) await recordFailure(ref, error, deps);
    throw error;
  }
}

function assertSameModels(batch: CollectionModels, worker: WorkerModels): void {
  if (compareModels(batch, worker).length === 0) return;
  throw new UnrecoverableError(
    `batch built for models ${describeModels(batch)} but this worker runs ${describeModels(worker)}; ` +
      "start workers with the collection's models",
  );
}

type SparseInput = { indices: number[]; values: number[] } | InferenceDocument;

/** The encoder a batch needs for its collection's inference mode; a worker without one cannot take that batch. */
function encoderFor(batch: BatchJob, deps: Pick<BatchDeps, "encoder">): BatchEncoder | undefined {
  const mode = batch.models.inference ?? "client";
  if (mode === "server") return undefined;
  if (deps.encoder) return deps.encoder;
  throw new UnrecoverableError(
    `collection "${batch.collection}" computes its vectors in ${mode} mode but this worker runs INFERENCE=server ` +
      "(no models loaded); start workers with INFERENCE=client or mixed for it",
  );
}

/**
 * Both vectors of every row, as points with deterministic ids. Vectors a row brought (`vectors`) are used as they
 * are; the rest follow the collection's inference mode: `client` computes dense and sparse concurrently; `mixed`
 * computes dense and sends BM25 as a `qdrant/bm25` document; `server` sends both as documents (the dense model under
 * its Qdrant Cloud name). Models run only for the rows that need them.
 */
export async function embedRows(batch: BatchJob, deps: Pick<BatchDeps, "encoder">): Promise<HybridPoint[]> {
  const mode = batch.models.inference ?? "client";
  const needDense = batch.rows.filter((row) => !row.vectors);
  const needSparse = batch.rows.filter((row) => !row.vectors?.sparse);
  const encoder =
    needDense.length || (needSparse.length && mode === "client") ? encoderFor(batch, deps) : undefined;
  const denseModel = cloudModelName(batch.models.dense);
  const bm25 = (text: string): SparseInput => ({ text, model: STORE_BM25_MODEL });
  const computedSparse = encoder !== undefined && mode === "client";
  const { dense, sparse } = encoder
    ? await encoder
        .encodeDocumentLists({
          dense: needDense.map((row) => row.text),
          sparse: computedSparse ? needSparse.map((row) => row.text) : [],
        })
        .catch((error: unknown) => {
          throw new EncoderFailure(
            `encoder failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        })
    : { dense: [], sparse: [] };
  if (
    (encoder && dense.length !== needDense.length) ||
    (computedSparse && sparse.length !== needSparse.length)
  ) {
    throw new UnrecoverableError(
      `encoder returned ${dense.length} dense and ${sparse.length} sparse vectors for ${needDense.length} and ` +
        `${needSparse.length} texts`,
    );
  }
  let nextDense = 0;
  let nextSparse = 0;
  return batch.rows.map((row) => {
    const own = row.vectors?.dense;
    const vector = own ?? (encoder ? (dense[nextDense++] ?? []) : { text: row.text, model: denseModel });
    if (Array.isArray(vector) && vector.length !== batch.models.denseDim) {
      throw new UnrecoverableError(
        `dense vector of row ${row.rowId} (line ${row.line}) has ${vector.length} dimensions, expected ${batch.models.denseDim}`,
      );
    }
    const sparseVector: SparseInput =
      row.vectors?.sparse ??
      (computedSparse ? (sparse[nextSparse++] ?? { indices: [], values: [] }) : bm25(row.text));
    return {
      id: pointId(batch.collection, row.rowId, row.chunk),
      dense: vector,
      sparse: sparseVector,
      payload: row.payload,
    };
  });
}

async function upsertWithRetry(collection: string, points: HybridPoint[], deps: BatchDeps): Promise<void> {
  try {
    await retryWithBackoff(
      () =>
        upsertPoints(deps.qdrant, collection, points, {
          wait: true,
          ...(deps.writeOrdering ? { ordering: deps.writeOrdering } : {}),
        }),
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
