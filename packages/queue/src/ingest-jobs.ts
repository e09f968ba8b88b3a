import { CollectionName } from "@hybrid/config";
import { z } from "zod";
import { ModelSpec } from "./batch-job.js";
import { ReadRequest } from "./ingest-request.js";

/** Payload of the `read` job (ingest queue): streams the source and adds batch jobs under the finalize job. */
export const ReadJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  request: ReadRequest,
  models: ModelSpec,
  /** Rows per batch job, resolved from the request or the producer's default. */
  batchSize: z.number().int().min(1).max(4096),
});
export type ReadJob = z.infer<typeof ReadJob>;

/** Payload of the `finalize` job (ingest queue): the flow's parent, processed once every child is done. */
export const FinalizeJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  collection: CollectionName,
});
export type FinalizeJob = z.infer<typeof FinalizeJob>;

/** Job names on the ingest queue. */
export const INGEST_JOB = { read: "read", finalize: "finalize" } as const;
/** Job name on the embed queue. */
export const EMBED_JOB = "batch";

/**
 * `<ingestion>-read` for the first read of the source; `<ingestion>-read-<pass>` for a later pass the finalize job adds
 * when batches the read queued went missing (lost with the last writes of a failed Redis master).
 */
export function readJobId(ingestionId: string, pass = 1): string {
  return pass <= 1 ? `${ingestionId}-read` : `${ingestionId}-read-${pass}`;
}

/** Parses a `readJobId` back; undefined for any other id. */
export function parseReadJobId(jobId: string): { ingestionId: string; pass: number } | undefined {
  const match = /^(.+)-read(?:-(\d+))?$/.exec(jobId);
  if (!match?.[1]) return undefined;
  return { ingestionId: match[1], pass: match[2] ? Number(match[2]) : 1 };
}

export function finalizeJobId(ingestionId: string): string {
  return `${ingestionId}-finalize`;
}

/** Parses `<ingestion>-b<index>` back; undefined for any other id. */
export function parseBatchJobId(jobId: string): { ingestionId: string; batchIndex: number } | undefined {
  const match = /^(.+)-b(\d+)$/.exec(jobId);
  if (!match?.[1] || !match[2]) return undefined;
  return { ingestionId: match[1], batchIndex: Number(match[2]) };
}
