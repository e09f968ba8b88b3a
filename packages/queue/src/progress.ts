import type { Redis } from "ioredis";

/**
 * Redis keys of one ingestion's progress, all under the deployment's queue prefix:
 * - `hash`: the progress document (state, counters, timestamps), fields in `PROGRESS_FIELD`;
 * - `done`: set of batch indices recorded as done (makes `recordBatchDone` idempotent);
 * - `failed`: hash batch index -> last error of batches that ended failed;
 * - `skipped`: list of the first skipped rows, JSON `{line, reason, message}`;
 * - `index` (per deployment): sorted set of ingestion ids by creation time.
 */
export function ingestionKeys(prefix: string, ingestionId: string) {
  const base = `${prefix}:ingestion:${ingestionId}`;
  return { hash: base, done: `${base}:done`, failed: `${base}:failed`, skipped: `${base}:skipped` };
}

export function ingestionIndexKey(prefix: string): string {
  return `${prefix}:ingestions`;
}

/** Counter fields of the progress hash that workers write (the producer writes the rest). */
export const PROGRESS_FIELD = {
  batchesDone: "batchesDone",
  batchesFailed: "batchesFailed",
  pointsUpserted: "pointsUpserted",
} as const;

/** Identifies a batch; a parsed `BatchJob` fits. */
export interface BatchRef {
  ingestionId: string;
  batchIndex: number;
}

const DONE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'batchesDone', 1)
redis.call('HINCRBY', KEYS[1], 'pointsUpserted', ARGV[2])
redis.call('HSET', KEYS[1], 'lastBatchAt', ARGV[3])
if redis.call('HDEL', KEYS[3], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'batchesFailed', -1) end
return 1`;

const FAILED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'batchesFailed', 1)
  return 1
end
return 0`;

/**
 * Worker side: counts a batch as done with the points it upserted. Idempotent per batch (a batch redelivered
 * after a crash is counted once) and a no-op for an ingestion whose progress has expired or was never created.
 * Resolves `true` when this call counted it.
 */
export async function recordBatchDone(
  redis: Redis,
  prefix: string,
  batch: BatchRef,
  points: number,
): Promise<boolean> {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  const result = await redis.eval(
    DONE_SCRIPT,
    3,
    keys.hash,
    keys.done,
    keys.failed,
    String(batch.batchIndex),
    String(points),
    String(Date.now()),
  );
  return result === 1;
}

/**
 * Worker side: records a batch that has used its last attempt, with the reason. Call it from the worker's
 * `failed` event when `job.attemptsMade >= job.opts.attempts` (or on an unrecoverable error). Idempotent; ignored
 * when the batch was already counted done.
 */
export async function recordBatchFailed(
  redis: Redis,
  prefix: string,
  batch: BatchRef,
  reason: string,
): Promise<boolean> {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  const result = await redis.eval(
    FAILED_SCRIPT,
    3,
    keys.hash,
    keys.done,
    keys.failed,
    String(batch.batchIndex),
    reason.slice(0, 2000),
  );
  return result === 1;
}
