/**
 * BullMQ's errors for a job whose key or lock is not what its worker expects when it renews the lock or finishes the
 * job: after a Redis failover the new master may lack the job (added just before the old master died) or hold an
 * older state of it; a lock can also expire under a blocked event loop. The worker goes on: what the job did is
 * idempotent, and what was lost is redone (the stalled-job check requeues a job left active, the finalize job
 * re-reads the source for batches that vanished). Worth a warning, not an error.
 */
export function isVanishedJob(error: Error): boolean {
  return /^(Missing (key|lock) for job|could not renew lock for job|Lock mismatch for job)/.test(
    error.message,
  );
}
