import { finalizeJobId, ingestionKeys, waitForReplicas } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import type { IngestDeps } from "./ingest-deps.js";

/**
 * What a 202 for a new ingestion promises: it survives the failure of the Redis master. Redis replicates
 * asynchronously, so this `WAIT`s until `deps.replication.replicas` replicas hold the ingestion (asked through the
 * flow producer's connection, which wrote it last), then checks the ingestion is on the master serving it now: ioredis
 * resends a `WAIT` that a failover cut off to the new master, where it proves nothing. Throws a retryable
 * UNAVAILABLE (503) otherwise; resubmitting is safe, since points are written by id.
 */
export async function confirmReplicated(deps: IngestDeps, id: string): Promise<void> {
  const { replicas, timeoutMs } = deps.replication;
  if (replicas === 0) return;
  let acknowledged: number;
  try {
    const client = await deps.flows.client;
    acknowledged = await waitForReplicas(client, ingestionKeys(deps.prefix, id).hash, replicas, timeoutMs);
  } catch (error) {
    throw new AppError(
      "UNAVAILABLE",
      `ingestion "${id}" was queued but Redis could not confirm it on a replica`,
      {
        cause: error,
      },
    );
  }
  if (!(await deps.ingestQueue.getJob(finalizeJobId(id)))) {
    throw new AppError(
      "UNAVAILABLE",
      `ingestion "${id}" was lost in a Redis failover before a replica had it; submit it again`,
    );
  }
  if (acknowledged < replicas) {
    throw new AppError(
      "UNAVAILABLE",
      `ingestion "${id}" was queued but reached ${acknowledged} of ${replicas} Redis replicas within ${timeoutMs} ms ` +
        `(REDIS_WAIT_REPLICAS), so a failover could lose it; it may still run (GET /v1/jobs/${id}), and submitting ` +
        "again is safe",
    );
  }
}
