import {
  BatchResult,
  type FinalizeJob,
  finishIngestion,
  type IngestionState,
  ingestChildOf,
  readProgress,
  type SettledBatches,
  settleBatches,
} from "@hybrid/queue";
import type { Job } from "bullmq";
import { removeUpload } from "../sources/upload-spool.js";
import { FINISHED_TTL_S, type IngestDeps } from "./ingest-deps.js";

export interface FinalizeResult {
  state: IngestionState;
  batchesDone: number;
  batchesFailed: number;
  pointsUpserted: number;
}

/**
 * Processes the `finalize` job, which BullMQ runs once every child (the read job and all batches) is processed.
 * Children's results are the authority: completed batches (with the points they returned) and the failures BullMQ
 * kept because of `ignoreDependencyOnFailure` are settled into the progress counters through the workers' own
 * idempotent scripts. Writes the final state (`cancelled`, `failed` when the read or any batch failed, else
 * `completed`) and lets the progress expire.
 */
export async function processFinalizeJob(
  job: Job,
  data: FinalizeJob,
  deps: IngestDeps,
): Promise<FinalizeResult> {
  const { ingestionId } = data;
  const [values, failures] = await Promise.all([
    job.getChildrenValues<unknown>(),
    job.getIgnoredChildrenFailures(),
  ]);
  const batches: SettledBatches = { done: [], failed: [] };
  for (const [key, value] of Object.entries(values)) {
    const child = ingestChildOf(key, deps.prefix);
    if (child?.kind !== "batch") continue;
    const result = BatchResult.safeParse(value);
    batches.done.push({ batchIndex: child.batchIndex, points: result.success ? result.data.points : 0 });
  }
  let readFailure: string | undefined;
  for (const [key, reason] of Object.entries(failures)) {
    const child = ingestChildOf(key, deps.prefix);
    if (child?.kind === "batch") batches.failed.push({ batchIndex: child.batchIndex, reason });
    if (child?.kind === "read") readFailure = reason;
  }
  const counts = await settleBatches(deps.redis, deps.prefix, ingestionId, batches);

  const progress = await readProgress(deps.redis, deps.prefix, ingestionId);
  let state: IngestionState = "completed";
  let error: string | undefined;
  if (progress?.cancelRequested) {
    state = "cancelled";
  } else if (readFailure !== undefined) {
    state = "failed";
    error = `reading the source failed: ${readFailure}`;
  } else if (counts.batchesFailed > 0) {
    state = "failed";
    error = `${counts.batchesFailed} of ${counts.batchesDone + counts.batchesFailed} batches failed; see GET /v1/jobs/${ingestionId}/failures`;
  }
  // The spooled upload goes before the ingestion is shown finished, so a finished job never leaves one behind.
  if (progress?.upload) await removeUpload(deps.sources.uploadDir, progress.upload);
  await finishIngestion(deps.redis, deps.prefix, ingestionId, { state, error }, FINISHED_TTL_S);
  deps.logger.info({ ingestionId, state, ...counts }, "ingestion finished");
  return { state, ...counts };
}
