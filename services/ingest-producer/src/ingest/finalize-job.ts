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
  const [values, failures, hash, perBatch] = await Promise.all([
    job.getChildrenValues<unknown>(),
    job.getIgnoredChildrenFailures(),
    deps.redis.hgetall(keys.hash),
    deps.redis.hgetall(keys.batches),
  ]);

  // Rows and distinct points of each batch as the producer recorded them; a batch's own count is the fallback.
  let batchesDone = 0;
  let points = 0;
  let rowsUpserted = 0;
  for (const [key, value] of Object.entries(values)) {
    const batch = key.startsWith(embedKey) ? parseBatchJobId(key.slice(embedKey.length)) : undefined;
    if (!batch) continue;
    batchesDone += 1;
    const result = BatchResult.safeParse(value);
    const recorded = perBatch[`p:${batch.batchIndex}`];
    points += recorded !== undefined ? Number(recorded) : result.success ? result.data.points : 0;
    rowsUpserted += Number(perBatch[`r:${batch.batchIndex}`] ?? 0);
  }
  const failedBatches: Record<string, string> = {};
  let rowsFailed = 0;
  for (const [key, reason] of Object.entries(failures)) {
    const batch = key.startsWith(embedKey) ? parseBatchJobId(key.slice(embedKey.length)) : undefined;
    if (!batch) continue;
    failedBatches[String(batch.batchIndex)] = reason;
    rowsFailed += Number(perBatch[`r:${batch.batchIndex}`] ?? 0);
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
    rowsUpserted: Math.max(rowsUpserted, Number(hash.rowsUpserted ?? 0)),
    rowsFailed,
    finishedAt: Date.now(),
    ...(error ? { error } : {}),
  });
  if (batchesFailed > 0) tx.hset(keys.failed, failedBatches);
  // Only needed while reading (collision detection); it holds one field per point.
  tx.del(keys.points);
  for (const key of Object.values(keys)) tx.expire(key, FINISHED_TTL_S);
  // The spooled upload goes before the ingestion is shown finished, so a finished job never leaves one behind.
  if (hash.upload) await removeUpload(deps.sources.uploadDir, hash.upload);
  await tx.exec();
  deps.logger.info(
    { ingestionId: data.ingestionId, state, batchesDone, batchesFailed, pointsUpserted },
    "ingestion finished",
  );
  return { state, batchesDone, batchesFailed, pointsUpserted };
}
