import { setTimeout as sleep } from "node:timers/promises";
import type { Job } from "bullmq";

/**
 * Backpressure: a wait that resolves once the finalize job has fewer than `maxPending` unprocessed batches
 * (counted by BullMQ itself, so it does not depend on workers reporting), asking every `pollMs`; aborted by the
 * signal (a cancel) at once.
 */
export function pendingCapacity(parent: Job, maxPending: number, pollMs = 200) {
  return async (signal: AbortSignal): Promise<void> => {
    for (;;) {
      signal.throwIfAborted();
      const { unprocessed = 0 } = await parent.getDependenciesCount({ unprocessed: true });
      // The read job itself is one of the parent's unprocessed children.
      if (unprocessed - 1 < maxPending) return;
      await sleep(pollMs, undefined, { signal });
    }
  };
}
