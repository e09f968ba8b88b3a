/**
 * Redis keys of one ingestion's progress, all under the deployment's queue prefix:
 * - `hash`: the progress document (state, counters, timestamps), read through `readProgress`;
 * - `done`: set of batch indices recorded as done (makes `recordBatchDone` idempotent);
 * - `failed`: hash batch index -> last error of batches that ended failed;
 * - `skipped`: list of the first skipped rows, JSON `{line, reason, message}`;
 * - `batches`: hash `r:<index>` -> rows and `p:<index>` -> new distinct points of each batch (`recordBatchPoints`);
 * - `points`: hash point id -> line of the first row that landed on it, while reading (collision detection);
 * - `collisions`: list of the first rows that landed on an earlier row's point, JSON `{line, earlierLine, rowId}`.
 */
export function ingestionKeys(prefix: string, ingestionId: string) {
  const base = `${prefix}:ingestion:${ingestionId}`;
  return {
    hash: base,
    done: `${base}:done`,
    failed: `${base}:failed`,
    skipped: `${base}:skipped`,
    batches: `${base}:batches`,
    points: `${base}:points`,
    collisions: `${base}:collisions`,
  };
}

/** Per deployment: sorted set of ingestion ids by creation time. */
export function ingestionIndexKey(prefix: string): string {
  return `${prefix}:ingestions`;
}
