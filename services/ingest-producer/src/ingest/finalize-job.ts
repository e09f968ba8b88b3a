import {
  BatchResult,
  type FinalizeJob,
  INGEST_JOB,
  ingestionKeys,
  parseBatchJobId,
  parseReadJobId,
  ReadJob,
  readJobId,
  readJobOptions,
} from "@hybrid/queue";
import { type Job, WaitingChildrenError } from "bullmq";
import { z } from "zod";
import { removeUpload } from "../sources/upload-spool.js";
import { FINISHED_TTL_S, type IngestDeps, type IngestionState } from "./ingest-deps.js";

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
 * Children's results are the authority: done batches and their points come from the completed children's return
 * values, failed ones from the failures BullMQ kept because of `ignoreDependencyOnFailure`. Writes the final state
 * (`cancelled`, `failed` when the read or any batch failed, else `completed`) and lets the progress expire.
 *
 * A batch the read queued can be gone without a trace: Redis replicates asynchronously, and a master that fails
 * takes its last writes with it while the read job goes on against the promoted replica. Such batches (neither a
 * child nor recorded done) are queued again by another read of the source, added as a child of this job (BullMQ's
 * `moveToWaitingChildren`), which runs again once that read and its batches are processed; the re-read skips what
 * is done or still queued. `token` is the job's lock token; without it nothing is re-read.
 */
export async function processFinalizeJob(
  job: Job,
  data: FinalizeJob,
  deps: IngestDeps,
  token?: string,
): Promise<FinalizeResult> {
  const keys = ingestionKeys(deps.prefix, data.ingestionId);
  const embedKey = `${deps.embedQueue.qualifiedName}:`;
  const ingestKey = `${deps.ingestQueue.qualifiedName}:`;
  const [values, failures, hash, perBatch, recordedDone] = await Promise.all([
    job.getChildrenValues<unknown>(),
    job.getIgnoredChildrenFailures(),
    deps.redis.hgetall(keys.hash),
    deps.redis.hgetall(keys.batches),
    deps.redis.smembers(keys.done),
  ]);
  const batchOf = (key: string) =>
    key.startsWith(embedKey) ? parseBatchJobId(key.slice(embedKey.length)) : undefined;
  const readOf = (key: string) => {
    const read = key.startsWith(ingestKey) ? parseReadJobId(key.slice(ingestKey.length)) : undefined;
    return read?.ingestionId === data.ingestionId ? read : undefined;
  };

  // Rows and distinct points of each batch as the producer recorded them; a batch's own count is the fallback.
  let batchesDone = 0;
  let points = 0;
  let rowsUpserted = 0;
  const accounted = new Set(recordedDone.map(Number));
  const reads = { passes: 0, queued: 0, cancelled: false };
  for (const [key, value] of Object.entries(values)) {
    const read = readOf(key);
    if (read) {
      const outcome = ReadOutcome.safeParse(value);
      reads.passes = Math.max(reads.passes, read.pass);
      if (outcome.success) {
        reads.queued = Math.max(reads.queued, outcome.data.batchesQueued);
        reads.cancelled ||= outcome.data.cancelled;
      }
    }
    const batch = batchOf(key);
    if (!batch) continue;
    accounted.add(batch.batchIndex);
    batchesDone += 1;
    const result = BatchResult.safeParse(value);
    const recorded = perBatch[`p:${batch.batchIndex}`];
    points += recorded !== undefined ? Number(recorded) : result.success ? result.data.points : 0;
    rowsUpserted += Number(perBatch[`r:${batch.batchIndex}`] ?? 0);
  }
  const failedBatches: Record<string, string> = {};
  let rowsFailed = 0;
  let readFailure: string | undefined;
  for (const [key, reason] of Object.entries(failures)) {
    const read = readOf(key);
    if (read) {
      reads.passes = Math.max(reads.passes, read.pass);
      readFailure = reason;
    }
    const batch = batchOf(key);
    if (!batch) continue;
    accounted.add(batch.batchIndex);
    failedBatches[String(batch.batchIndex)] = reason;
    rowsFailed += Number(perBatch[`r:${batch.batchIndex}`] ?? 0);
  }

  const cancelled = hash.cancelRequested === "1" || reads.cancelled;
  const missing = Array.from({ length: reads.queued }, (_, i) => i).filter((i) => !accounted.has(i));
  if (missing.length > 0 && !cancelled && readFailure === undefined) {
    const reread = await readAgain(job, token, data, deps, reads.passes + 1, missing.length);
    if (reread === "waiting") throw new WaitingChildrenError();
    // The new read and its batches were processed before this job could wait for them: look again.
    if (reread === "processed") return processFinalizeJob(job, data, deps, token);
    for (const index of missing) {
      failedBatches[String(index)] = LOST_BATCH;
      rowsFailed += Number(perBatch[`r:${index}`] ?? 0);
    }
  }
  const batchesFailed = Object.keys(failedBatches).length;

  let state: IngestionState = "completed";
  let error: string | undefined;
  if (cancelled) {
    state = "cancelled";
  } else if (readFailure !== undefined) {
    state = "failed";
    error = `reading the source failed: ${readFailure}`;
  } else if (batchesFailed > 0) {
    state = "failed";
    error = `${batchesFailed} of ${batchesDone + batchesFailed} batches failed; see GET /v1/jobs/${data.ingestionId}/failures`;
  }
  // The progress counters also hold batches done whose job a failover lost (the worker counted them on the new master).
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
  // The live view counts the finished reads among the children (`describeIngestion`).
  await deps.redis.hset(ingestionKeys(deps.prefix, data.ingestionId).hash, "readPasses", pass);
  await deps.ingestQueue.add(INGEST_JOB.read, read.data, {
    ...readJobOptions(),
    jobId: readJobId(data.ingestionId, pass),
    parent: { id: job.id, queue: job.queueQualifiedName },
  });
  return (await job.moveToWaitingChildren(token)) ? "waiting" : "processed";
}
