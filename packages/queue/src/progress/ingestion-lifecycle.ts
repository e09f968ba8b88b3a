import type { RedisClient } from "../connection.js";
import { ingestionIndexKey, ingestionKeys } from "./ingestion-keys.js";
import { type IngestionState, isTerminal } from "./ingestion-state.js";
import { readProgress } from "./progress-document.js";
import { batchDoneCall, batchFailedCall } from "./record-batch.js";

/** Records a new ingestion (state `queued`) and indexes it, keeping the newest `indexKept` ids in the index. */
export async function createIngestionProgress(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  fields: { collection: string; source: string; upload?: string | undefined; createdAt: number },
  indexKept: number,
): Promise<void> {
  const index = ingestionIndexKey(prefix);
  await redis
    .multi()
    .hset(ingestionKeys(prefix, ingestionId).hash, {
      state: "queued",
      collection: fields.collection,
      source: fields.source,
      createdAt: fields.createdAt,
      ...(fields.upload ? { upload: fields.upload } : {}),
    })
    .zadd(index, fields.createdAt, ingestionId)
    .zremrangebyrank(index, 0, -indexKept - 1)
    .exec();
}

/**
 * Asks a running ingestion to stop (the read job sees it at its next progress write). Answers the state it was in:
 * undefined when there is no such ingestion; a terminal state means nothing was asked.
 */
export async function requestCancel(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
): Promise<string | undefined> {
  const key = ingestionKeys(prefix, ingestionId).hash;
  const state = (await redis.hget(key, "state")) ?? undefined;
  if (state !== undefined && !isTerminal(state)) await redis.hset(key, "cancelRequested", 1);
  return state;
}

/** Batches a finished flow's children report: completed ones with the points they returned, failed ones with why. */
export interface SettledBatches {
  done: Array<{ batchIndex: number; points: number }>;
  failed: Array<{ batchIndex: number; reason: string }>;
}

/**
 * Once every child has been processed, BullMQ's record of them is the authority: each completed and each failed
 * batch goes through the same idempotent scripts the workers use, so a batch whose worker could not record it
 * (Redis trouble after the upsert) is counted now, and one already counted is not counted again. Answers the
 * counters as they then stand.
 */
export async function settleBatches(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  batches: SettledBatches,
): Promise<{ batchesDone: number; batchesFailed: number; pointsUpserted: number }> {
  const calls = [
    ...batches.done.map((b) => batchDoneCall(prefix, { ingestionId, batchIndex: b.batchIndex }, b.points)),
    ...batches.failed.map((b) =>
      batchFailedCall(prefix, { ingestionId, batchIndex: b.batchIndex }, b.reason),
    ),
  ];
  for (let at = 0; at < calls.length; at += 1000) {
    const pipeline = redis.pipeline();
    for (const call of calls.slice(at, at + 1000)) {
      pipeline.eval(call.script, call.keys.length, ...call.keys, ...call.args);
    }
    await pipeline.exec();
  }
  const progress = await readProgress(redis, prefix, ingestionId);
  return {
    batchesDone: progress?.batchesDone ?? 0,
    batchesFailed: progress?.batchesFailed ?? 0,
    pointsUpserted: progress?.pointsUpserted ?? 0,
  };
}

/**
 * Writes the final state (and the error, if any), drops the per-point record only reading needs, and lets every
 * key of the ingestion expire after `ttlSeconds`.
 */
export async function finishIngestion(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  end: { state: IngestionState; error?: string | undefined },
  ttlSeconds: number,
): Promise<void> {
  const keys = ingestionKeys(prefix, ingestionId);
  const tx = redis.multi().hset(keys.hash, {
    state: end.state,
    finishedAt: Date.now(),
    ...(end.error ? { error: end.error } : {}),
  });
  tx.del(keys.points);
  for (const key of Object.values(keys)) tx.expire(key, ttlSeconds);
  await tx.exec();
}
