import { QUEUE } from "./queue-names.js";

// BullMQ forbids `:` in custom ids and all-digit ids; ingestion ids are `ing-<time>-<hex>` (see the producer), so
// every id below is neither.

/**
 * The read job of an ingestion: `<ingestion>-read` for the first read of the source; `<ingestion>-read-<pass>` for a
 * later pass the finalize job adds when batches the read queued went missing (lost with the last writes of a failed
 * Redis master).
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

/** The finalize (parent) job of an ingestion: `<ingestion>-finalize`. */
export function finalizeJobId(ingestionId: string): string {
  return `${ingestionId}-finalize`;
}

/** Batch `batchIndex` of an ingestion: `<ingestion>-b<index>`. */
export function batchJobId(ingestionId: string, batchIndex: number): string {
  return `${ingestionId}-b${batchIndex}`;
}

/** Parses `<ingestion>-b<index>` back; undefined for any other id. */
export function parseBatchJobId(jobId: string): { ingestionId: string; batchIndex: number } | undefined {
  const match = /^(.+)-b(\d+)$/.exec(jobId);
  if (!match?.[1] || !match[2]) return undefined;
  return { ingestionId: match[1], batchIndex: Number(match[2]) };
}

/** A child of an ingestion's finalize job, told from the Redis key BullMQ names it by. */
export type IngestChild =
  | { kind: "batch"; ingestionId: string; batchIndex: number; jobId: string }
  | { kind: "read"; ingestionId: string; pass: number; jobId: string };

/**
 * What a dependency key of a finalize job (`<prefix>:<queue>:<job id>`, as `getDependencies`,
 * `getChildrenValues` and `getIgnoredChildrenFailures` give them) stands for; undefined for anything else.
 */
export function ingestChildOf(key: string, prefix: string): IngestChild | undefined {
  const embed = `${prefix}:${QUEUE.embed}:`;
  const ingest = `${prefix}:${QUEUE.ingest}:`;
  if (key.startsWith(embed)) {
    const jobId = key.slice(embed.length);
    const batch = parseBatchJobId(jobId);
    return batch ? { kind: "batch", ...batch, jobId } : undefined;
  }
  if (key.startsWith(ingest)) {
    const jobId = key.slice(ingest.length);
    const read = parseReadJobId(jobId);
    return read ? { kind: "read", ...read, jobId } : undefined;
  }
  return undefined;
}
