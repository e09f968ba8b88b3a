import {
  BatchResult,
  doneBatchIndices,
  type FinalizeJob,
  finishIngestion,
  INGEST_JOB,
  type IngestionState,
  ingestChildOf,
  ReadJob,
  readJobId,
  readJobOptions,
  readProgress,
  type SettledBatches,
  settleBatches,
} from "@hybrid/queue";
import { type Job, WaitingChildrenError } from "bullmq";
import { z } from "zod";
import { removeUpload } from "../sources/upload-spool.js";
import { FINISHED_TTL_S, type IngestDeps } from "./ingest-deps.js";

export interface FinalizeResult {
  state: IngestionState;
  batchesDone: number;
  batchesFailed: number;
  pointsUpserted: number;
}

/** What the finalize job reads of a read job's result (`ReadResult`). */
const ReadOutcome = z.object({ batchesQueued: z.number().int().nonnegative(), cancelled: z.boolean() });

/** Reads of one source, the first included, before batches still missing are counted as failed. */
export const MAX_READ_PASSES = 3;

const LOST_BATCH =
  "lost in a Redis failover (queued, then gone with the failed master's last writes) and not queued again by a re-read";

/**
 * Processes the `finalize` job, which BullMQ runs once every child (the read job and all batches) is processed.
 * Children's results are the authority: completed batches (with the points they returned) and the failures BullMQ
 * kept because of `ignoreDependencyOnFailure` are settled into the progress counters through the workers' own
 * idempotent scripts. Writes the final state (`cancelled`, `failed` when the read or any batch failed, else
 * `completed`) and lets the progress expire.
 *
 * A batch the read queued can be gone without a trace: Redis replicates asynchronously, and a master that fails
 * takes its last writes with it while the read job goes on against the promoted replica. Such batches (neither a
 * child nor counted done) are queued again by another read of the source, added as a child of this job (BullMQ's
 * `moveToWaitingChildren`), which runs again once that read and its batches are processed; the re-read skips what
 * is done or still queued. After `MAX_READ_PASSES` reads, what is still missing is counted failed. `token` is the
 * job's lock token; without it nothing is re-read.
 */
export async function processFinalizeJob(
  job: Job,
  data: FinalizeJob,
  deps: IngestDeps,
  token?: string,
): Promise<FinalizeResult> {
  const { ingestionId } = data;
  const [values, failures, countedDone] = await Promise.all([
    job.getChildrenValues<unknown>(),
    job.getIgnoredChildrenFailures(),
    doneBatchIndices(deps.redis, deps.prefix, ingestionId),
  ]);
  const batches: SettledBatches = { done: [], failed: [] };
  const accounted = new Set(countedDone);
  const reads = { passes: 0, queued: 0, cancelled: false };
  for (const [key, value] of Object.entries(values)) {
    const child = ingestChildOf(key, deps.prefix);
    if (child?.kind === "read" && child.ingestionId === ingestionId) {
      reads.passes = Math.max(reads.passes, child.pass);
      const outcome = ReadOutcome.safeParse(value);
      if (outcome.success) {
        reads.queued = Math.max(reads.queued, outcome.data.batchesQueued);
        reads.cancelled ||= outcome.data.cancelled;
      }
    }
    if (child?.kind !== "batch") continue;
    accounted.add(child.batchIndex);
    const result = BatchResult.safeParse(value);
    batches.done.push({ batchIndex: child.batchIndex, points: result.success ? result.data.points : 0 });
  }
  let readFailure: string | undefined;
  for (const [key, reason] of Object.entries(failures)) {
    const child = ingestChildOf(key, deps.prefix);
    if (child?.kind === "batch") {
      accounted.add(child.batchIndex);
      batches.failed.push({ batchIndex: child.batchIndex, reason });
    }
    if (child?.kind === "read" && child.ingestionId === ingestionId) {
      reads.passes = Math.max(reads.passes, child.pass);
      readFailure = reason;
    }
  }

  const progress = await readProgress(deps.redis, deps.prefix, ingestionId);
  const cancelled = progress?.cancelRequested === true || reads.cancelled;
  const missing = Array.from({ length: reads.queued }, (_, i) => i).filter((i) => !accounted.has(i));
  if (missing.length > 0 && !cancelled && readFailure === undefined) {
    const reread = await readAgain(job, token, data, deps, reads.passes + 1, missing.length);
    if (reread === "waiting") throw new WaitingChildrenError();
    // The new read and its batches were processed before this job could wait for them: look again.
    if (reread === "processed") return processFinalizeJob(job, data, deps, token);
    for (const batchIndex of missing) batches.failed.push({ batchIndex, reason: LOST_BATCH });
  }
  const counts = await settleBatches(deps.redis, deps.prefix, ingestionId, batches);

  let state: IngestionState = "completed";
  let error: string | undefined;
  if (cancelled) {
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

/**
 * Adds read pass `pass` of the ingestion's source as a child of the finalize job and moves the job to wait for it:
 * `waiting` once it waits, `processed` when the new child was already processed, `impossible` when no more passes are
 * allowed or the first read's payload is gone.
 */
async function readAgain(
  job: Job,
  token: string | undefined,
  data: FinalizeJob,
  deps: IngestDeps,
  pass: number,
  missing: number,
): Promise<"waiting" | "processed" | "impossible"> {
  const first = await deps.ingestQueue.getJob(readJobId(data.ingestionId));
  const read = ReadJob.safeParse(first?.data);
  if (!token || !job.id || pass > MAX_READ_PASSES || !read.success) {
    deps.logger.error(
      { ingestionId: data.ingestionId, missing, pass },
      "batches the read queued are gone (a Redis failover lost them) and cannot be queued again: counted failed",
    );
    return "impossible";
  }
  deps.logger.warn(
    { ingestionId: data.ingestionId, missing, pass },
    "batches the read queued are gone (a Redis failover lost them): reading the source again to queue them",
  );
  await deps.ingestQueue.add(INGEST_JOB.read, read.data, {
    ...readJobOptions(),
    jobId: readJobId(data.ingestionId, pass),
    parent: { id: job.id, queue: job.queueQualifiedName },
  });
  return (await job.moveToWaitingChildren(token)) ? "waiting" : "processed";
}
