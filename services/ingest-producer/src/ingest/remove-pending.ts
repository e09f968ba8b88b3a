import { ingestChildOf } from "@hybrid/queue";
import type { Job } from "bullmq";
import type { IngestDeps } from "./ingest-deps.js";

/**
 * Removes the batches of an ingestion that have not started (waiting, delayed for a retry): they are the parent's
 * unprocessed children. Active batches are locked and cannot be removed; they finish. Each removal also drops the
 * dependency from the parent, so once nothing is left the finalize job runs. Returns how many were removed.
 */
export async function removePendingBatches(
  deps: Pick<IngestDeps, "embedQueue" | "prefix">,
  parent: Job,
): Promise<number> {
  let removed = 0;
  let cursor = 0;
  do {
    const page = await parent.getDependencies({ unprocessed: { cursor, count: 500 } });
    cursor = page.nextUnprocessedCursor ?? 0;
    for (const key of page.unprocessed ?? []) {
      const child = ingestChildOf(key, deps.prefix);
      if (child?.kind !== "batch") continue;
      const job = await deps.embedQueue.getJob(child.jobId);
      if (!job) continue;
      const state = await job.getState();
      if (state === "active" || state === "completed" || state === "failed") continue;
      try {
        await job.remove();
        removed += 1;
      } catch {
        // Picked up by a worker in the meantime: it finishes.
      }
    }
  } while (cursor !== 0);
  return removed;
}
