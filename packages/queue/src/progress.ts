import type { RedisClient } from "./connection.js";

/**
 * Redis keys of one ingestion's progress, all under the deployment's queue prefix:
 * - `hash`: the progress document (state, counters, timestamps, `readPasses` once the source is read again), fields
 *   in `PROGRESS_FIELD`;
 * - `done`: set of batch indices recorded as done (makes `recordBatchDone` idempotent);
 * - `failed`: hash batch index -> last error of batches that ended failed;
 * - `skipped`: list of the first skipped rows, JSON `{line, reason, message}`;
 * - `batches`: hash `r:<index>` -> rows and `p:<index>` -> new distinct points of each batch (`recordBatchPoints`);
 * - `points`: hash point id -> line of the first row that landed on it, while reading (collision detection);
 * - `collisions`: list of the first rows that landed on an earlier row's point, JSON `{line, earlierLine, rowId}`;
 * - `index` (per deployment): sorted set of ingestion ids by creation time.
 */
export function ingestionKeys(prefix: string, ingestionId: string) {
  const base = `${prefix}:ingestion:${ingestionId}`;
  return {
    hash: base,
    done: `${base}:done`,
    failed: `${base}:failed`,
    skipped: `${base}:skipped`,
    batches: `${base}:batches`,
    points: `${base}:points`,
    collisions: `${base}:collisions`,
  };
}

export function ingestionIndexKey(prefix: string): string {
  return `${prefix}:ingestions`;
}

/** Counter fields of the progress hash that workers write (the producer writes the rest). */
export const PROGRESS_FIELD = {
  batchesDone: "batchesDone",
  batchesFailed: "batchesFailed",
  pointsUpserted: "pointsUpserted",
  rowsUpserted: "rowsUpserted",
  rowsFailed: "rowsFailed",
} as const;

/** Identifies a batch; a parsed `BatchJob` fits. */
export interface BatchRef {
  ingestionId: string;
  batchIndex: number;
}

// Points and rows of a batch come from what the producer recorded for it (`recordBatchPoints`): the worker
// knows how many points it wrote, not how many of them an earlier row of the same ingestion already had. The
// worker's own counts stand in where that record is missing (lost with the last writes of a failed Redis master).
const DONE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
local points = redis.call('HGET', KEYS[4], 'p:' .. ARGV[1]) or ARGV[2]
local rows = tonumber(redis.call('HGET', KEYS[4], 'r:' .. ARGV[1]) or ARGV[4])
redis.call('HINCRBY', KEYS[1], 'batchesDone', 1)
redis.call('HINCRBY', KEYS[1], 'pointsUpserted', points)
redis.call('HINCRBY', KEYS[1], 'rowsUpserted', rows)
redis.call('HSET', KEYS[1], 'lastBatchAt', ARGV[3])
if redis.call('HDEL', KEYS[3], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'batchesFailed', -1)
  redis.call('HINCRBY', KEYS[1], 'rowsFailed', 0 - rows)
end
return 1`;

const FAILED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'batchesFailed', 1)
  redis.call('HINCRBY', KEYS[1], 'rowsFailed', redis.call('HGET', KEYS[4], 'r:' .. ARGV[1]) or 0)
  return 1
end
return 0`;

/**
 * Worker side: counts a batch as done with the points it upserted and its rows (`countRows`). Idempotent per batch
 * (a batch redelivered after a crash is counted once) and a no-op for an ingestion whose progress has expired or was
 * never created. Resolves `true` when this call counted it.
 */
export async function recordBatchDone(
  redis: RedisClient,
  prefix: string,
  batch: BatchRef,
  points: number,
  rows = 0,
): Promise<boolean> {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  const result = await redis.eval(
    DONE_SCRIPT,
    4,
    keys.hash,
    keys.done,
    keys.failed,
    keys.batches,
    String(batch.batchIndex),
    String(points),
    String(Date.now()),
    String(rows),
  );
  return result === 1;
}

/**
 * Worker side: records a batch that has used its last attempt, with the reason. Call it from the worker's
 * `failed` event when `job.attemptsMade >= job.opts.attempts` (or on an unrecoverable error). Idempotent; ignored
 * when the batch was already counted done.
 */
export async function recordBatchFailed(
  redis: RedisClient,
  prefix: string,
  batch: BatchRef,
  reason: string,
): Promise<boolean> {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  const result = await redis.eval(
    FAILED_SCRIPT,
    4,
    keys.hash,
    keys.done,
    keys.failed,
    keys.batches,
    String(batch.batchIndex),
    reason.slice(0, 2000),
  );
  return result === 1;
}

// HSETNX keeps the first row's line; a re-read of the same source finds its own line there (not a collision).
const POINTS_SCRIPT = `
local earlier = {}
local fresh = 0
for i = 3, #ARGV, 2 do
  local first = ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 0 then first = redis.call('HGET', KEYS[1], ARGV[i]) end
  if first == ARGV[i + 1] then
    fresh = fresh + 1
    earlier[#earlier + 1] = -1
  else
    earlier[#earlier + 1] = tonumber(first)
  end
end
redis.call('HSET', KEYS[2], 'r:' .. ARGV[1], ARGV[2], 'p:' .. ARGV[1], fresh)
return earlier`;

/** One point a batch writes: its id and the source line of the row it comes from. */
export interface BatchPoint {
  pointId: string;
  line: number;
}

/**
 * Producer side, before a batch is queued: records which row first landed on each of the batch's points, and the
 * batch's rows and new distinct points (read by `recordBatchDone`/`recordBatchFailed`). Answers, per point, the
 * line of the earlier row it overwrites, or `undefined` when it is the first. Safe to repeat for a re-read of the
 * same source: a row finds its own line and is not a collision.
 */
export async function recordBatchPoints(
  redis: RedisClient,
  prefix: string,
  batch: BatchRef & { rows: number },
  points: BatchPoint[],
): Promise<Array<number | undefined>> {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  const args = points.flatMap((p) => [p.pointId, String(p.line)]);
  const result = await redis.eval(
    POINTS_SCRIPT,
    2,
    keys.points,
    keys.batches,
    String(batch.batchIndex),
    String(batch.rows),
    ...args,
  );
  const lines = Array.isArray(result) ? result : [];
  return points.map((_, i) => {
    const line = lines[i];
    return typeof line === "number" && line >= 0 ? line : undefined;
  });
}
