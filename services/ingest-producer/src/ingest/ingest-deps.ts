import type { RedisClient } from "@hybrid/queue";
import type { CollectionModels } from "@hybrid/store";
import type { FlowProducer, Queue } from "bullmq";
import type { Logger } from "pino";
import type { SourcePolicy } from "../sources/open-source.js";

/** Creates the collection on first use (or checks it) and answers the models its batches must carry. */
export type ResolveCollection = (
  collection: string,
) => Promise<{ models: CollectionModels; created: boolean }>;

/** Everything the ingestion functions need, built once in `main` (or a test). */
export interface IngestDeps {
  /** Plain command connection (progress hashes, the index). */
  redis: RedisClient;
  /** QUEUE_PREFIX, also BullMQ's `prefix`. */
  prefix: string;
  ingestQueue: Queue;
  embedQueue: Queue;
  flows: FlowProducer;
  /** Redis replicas a new ingestion must be on (`WAIT`) before it is acknowledged; 0 asks none. */
  replication: { replicas: number; timeoutMs: number };
  sources: SourcePolicy;
  resolveCollection: ResolveCollection;
  limits: {
    /** Rows per batch when the request does not say. */
    batchSize: number;
    /** The read job pauses while this many batches of its ingestion are not processed yet. */
    maxPendingBatches: number;
    /** Attempts per batch job. */
    batchAttempts: number;
    /** First retry delay of a batch, doubled each attempt. */
    batchBackoffMs: number;
    /** A batch is closed early once its rows reach this many bytes, so job payloads stay bounded (default 8 MiB). */
    maxBatchBytes?: number;
    /** A source that sends nothing for this long fails the read (default 60 s). */
    sourceIdleTimeoutMs?: number;
  };
  logger: Logger;
}

export const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const DEFAULT_SOURCE_IDLE_TIMEOUT_MS = 60_000;

/** Progress hashes of finished ingestions (and their side keys) expire after this long. */
export const FINISHED_TTL_S = 7 * 24 * 3600;
/** The index of ingestions keeps the newest this many ids. */
export const INDEX_KEPT = 10_000;
