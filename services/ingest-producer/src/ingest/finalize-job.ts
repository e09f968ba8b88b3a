import { BatchResult, type FinalizeJob, ingestionKeys, parseBatchJobId, readJobId } from "@hybrid/queue";
import type { Job } from "bullmq";
import { removeUpload } from "../sources/upload-spool.js";
import { FINISHED_TTL_S, type IngestDeps, type IngestionState } from "./ingest-deps.js";

export interface FinalizeResult {
  state: IngestionState;
  batchesDone: number;
  batchesFailed: number;
  pointsUpserted: number;
}

/**
 * Processes the `finalize` job, which BullMQ runs once every child (the read job and all batches) is processed.
 * Children's results are the authority: done batches and their points come from the completed children's return
 * values, failed ones from the failures BullMQ kept because of `ignoreDependencyOnFailure`. Writes the final state
 * (`cancelled`, `failed` when the read or any batch failed, else `completed`) and lets the progress expire.
 */
export async function processFinalizeJob(
  job: Job,
  data: FinalizeJob,
  deps: IngestDeps,
): Promise<FinalizeResult> {
  const keys = ingestionKeys(deps.prefix, data.ingestionId);
  const embedKey = `${deps.embedQueue.qualifiedName}:`;
  const readKey = `${deps.ingestQueue.qualifiedName}:${readJobId(data.ingestionId)}`;
  const [values, failures, hash] = await Promise.all([
    job.getChildrenValues<unknown>(),
    job.getIgnoredChildrenFailures(),
    deps.redis.hgetall(keys.hash),
  ]);

  let batchesDone = 0;
  let points = 0;
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(embedKey)) continue;
    batchesDone += 1;
    const result = BatchResult.safeParse(value);
    if (result.success) points += result.data.points;
  }
  const failedBatches: Record<string, string> = {};
  for (const [key, reason] of Object.entries(failures)) {
    const batch = key.startsWith(embedKey) ? parseBatchJobId(key.slice(embedKey.length)) : undefined;
    if (batch) failedBatches[String(batch.batchIndex)] = reason;
  }
  const batchesFailed = Object.keys(failedBatches).length;
  const readFailure = failures[readKey];

  let state: IngestionState = "completed";
  let error: string | undefined;
  if (hash.cancelRequested === "1") {
    state = "cancelled";
  } else if (readFailure !== undefined) {
    state = "failed";
    error = `reading the source failed: ${readFailure}`;
  } else if (batchesFailed > 0) {
    state = "failed";
    error = `${batchesFailed} of ${batchesDone + batchesFailed} batches failed; see GET /v1/jobs/${data.ingestionId}/failures`;
  }
  const pointsUpserted = Math.max(points, Number(hash.pointsUpserted ?? 0));
  const tx = deps.redis.multi().hset(keys.hash, {
    state,
    batchesDone: Math.max(batchesDone, Number(hash.batchesDone ?? 0)),
    batchesFailed,
    pointsUpserted,
    finishedAt: Date.now(),
    ...(error ? { error } : {}),
  });
  if (batchesFailed > 0) tx.hset(keys.failed, failedBatches);
  for (const key of Object.values(keys)) tx.expire(key, FINISHED_TTL_S);
  await tx.exec();
  if (hash.upload) await removeUpload(deps.sources.uploadDir, hash.upload);
  deps.logger.info(
    { ingestionId: data.ingestionId, state, batchesDone, batchesFailed, pointsUpserted },
    "ingestion finished",
  );
  return { state, batchesDone, batchesFailed, pointsUpserted };
}
