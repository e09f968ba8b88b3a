import type { JobsOptions } from "bullmq";

export interface BatchJobOptionsInput {
  /** Tries per batch before it is kept as failed (default 5). */
  attempts?: number;
  /** First retry delay in ms; doubles each time (default 2000). */
  backoffMs?: number;
}

/**
 * Options of every batch job (set by the producer when it adds them): retries with exponential backoff,
 * a failed batch does not block its ingestion (it is listed as a failure instead), and finished jobs are
 * trimmed so Redis does not grow without end.
 */
export function batchJobOptions({ attempts = 5, backoffMs = 2000 }: BatchJobOptionsInput = {}): JobsOptions {
  return {
    attempts,
    backoff: { type: "exponential", delay: backoffMs },
    ignoreDependencyOnFailure: true,
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** Options of the read job: a few retries (a re-run re-adds nothing, batch ids being deterministic). */
export function readJobOptions(): JobsOptions {
  return {
    attempts: 3,
    backoff: { type: "exponential", delay: 2000 },
    ignoreDependencyOnFailure: true,
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  };
}

/** Options of the finalize (parent) job. */
export function finalizeJobOptions(): JobsOptions {
  return {
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  };
}

/**
 * `runRetryDelay` of every BullMQ worker: how long it waits after a Redis connection error before fetching again.
 * BullMQ's default (15 s) is longer than a Sentinel or Cluster failover itself.
 */
export const WORKER_RETRY_DELAY_MS = 1000;
