import type { RedisClient } from "../connection.js";
import { ingestionKeys } from "./ingestion-keys.js";
import { luaScript } from "./lua-scripts.js";

/** Identifies a batch; a parsed `BatchJob` fits. */
export interface BatchRef {
  ingestionId: string;
  batchIndex: number;
}

/**
 * Worker side (and finalize, for batches BullMQ completed): counts a batch as done with the points it upserted.
 * Idempotent per batch (a batch redelivered after a crash is counted once) and a no-op for an ingestion whose
 * progress has expired or was never created. Resolves `true` when this call counted it.
 */
export async function recordBatchDone(
  redis: RedisClient,
  prefix: string,
  batch: BatchRef,
  points: number,
  rows = 0,
): Promise<boolean> {
  const call = batchDoneCall(prefix, batch, points, rows);
  return (await redis.eval(call.script, call.keys.length, ...call.keys, ...call.args)) === 1;
}

/** One script run: the script, its keys and its arguments. */
export interface ScriptCall {
  script: string;
  keys: string[];
  args: string[];
}

/** What `recordBatchDone` runs, for a pipeline. */
export function batchDoneCall(prefix: string, batch: BatchRef, points: number, rows = 0): ScriptCall {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  return {
    script: luaScript("batch-done"),
    keys: [keys.hash, keys.done, keys.failed, keys.batches],
    args: [String(batch.batchIndex), String(points), String(Date.now()), String(rows)],
  };
}

/**
 * Worker side (and finalize, for failures BullMQ kept): records a batch that has used its last attempt, with the
 * reason. Call it from the worker's `failed` event when `job.attemptsMade >= job.opts.attempts` (or on an
 * unrecoverable error). Idempotent; ignored when the batch was already counted done.
 */
export async function recordBatchFailed(
  redis: RedisClient,
  prefix: string,
  batch: BatchRef,
  reason: string,
): Promise<boolean> {
  const call = batchFailedCall(prefix, batch, reason);
  return (await redis.eval(call.script, call.keys.length, ...call.keys, ...call.args)) === 1;
}

/** What `recordBatchFailed` runs, for a pipeline. */
export function batchFailedCall(prefix: string, batch: BatchRef, reason: string): ScriptCall {
  const keys = ingestionKeys(prefix, batch.ingestionId);
  return {
    script: luaScript("batch-failed"),
    keys: [keys.hash, keys.done, keys.failed, keys.batches],
    args: [String(batch.batchIndex), reason.slice(0, 2000)],
  };
}

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
    luaScript("batch-points"),
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

/** Whether a batch has been counted done (a re-read does not queue it again). */
export async function isBatchDone(redis: RedisClient, prefix: string, batch: BatchRef): Promise<boolean> {
  return (
    (await redis.sismember(ingestionKeys(prefix, batch.ingestionId).done, String(batch.batchIndex))) === 1
  );
}

/** The indices of the batches counted done so far. */
export async function doneBatchIndices(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
): Promise<Set<number>> {
  return new Set((await redis.smembers(ingestionKeys(prefix, ingestionId).done)).map(Number));
}
