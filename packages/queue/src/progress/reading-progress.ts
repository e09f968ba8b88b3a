import type { RedisClient } from "../connection.js";
import { ingestionKeys } from "./ingestion-keys.js";
import {
  type Collision,
  type ReadCheckpoint,
  type ReadCounts,
  SKIPPED_FIELD,
  type SkippedRow,
} from "./progress-document.js";

/** The read job's side of the progress: what it writes while it streams the source. */

export const EMPTY_READ_COUNTS: ReadCounts = {
  rowsRead: 0,
  rowsSkipped: 0,
  rowsCollided: 0,
  chunks: 0,
  batchesQueued: 0,
  skippedBy: {},
};

/**
 * A read (first run or re-run) begins: state `reading`, and the read's counters set to where it starts, zero or a
 * checkpoint's. Entries of the skipped and collision lists past the checkpoint (all, without one) are dropped,
 * and so is a checkpoint left by an earlier run when this run starts over.
 */
export async function startRead(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  from: ReadCheckpoint | undefined,
): Promise<void> {
  const keys = ingestionKeys(prefix, ingestionId);
  const stale = (await redis.hkeys(keys.hash)).filter((field) => field.startsWith(SKIPPED_FIELD));
  const counts = from?.counts ?? EMPTY_READ_COUNTS;
  const tx = redis.multi();
  if (stale.length) tx.hdel(keys.hash, ...stale);
  tx.hdel(keys.hash, "readDoneAt", ...(from ? [] : ["readPosition"]));
  tx.hset(keys.hash, { state: "reading", startedAt: Date.now(), ...countFields(counts) });
  for (const [key, kept] of [
    [keys.skipped, from?.listed.skipped ?? 0],
    [keys.collisions, from?.listed.collisions ?? 0],
  ] as const) {
    if (kept > 0) tx.ltrim(key, 0, kept - 1);
    else tx.del(key);
  }
  await tx.exec();
}

/** The reader picked for the source, and its rows when known up front. */
export async function recordReadSource(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  source: { reader: unknown; rowsTotal?: number | undefined },
): Promise<void> {
  await redis.hset(ingestionKeys(prefix, ingestionId).hash, {
    reader: JSON.stringify(source.reader),
    ...(source.rowsTotal !== undefined ? { rowsTotal: source.rowsTotal } : {}),
  });
}

export interface ReadUpdate {
  counts: ReadCounts;
  bytes: { read: number; total?: number | undefined };
  /** Entries to append to the skipped and collision lists (the caller keeps them under their bound). */
  skipped: SkippedRow[];
  collisions: Collision[];
}

/**
 * Writes the read's counters and appends list entries, in one transaction; answers whether a cancel was
 * requested (possibly through another producer), so the read can stop.
 */
export async function writeReadProgress(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  update: ReadUpdate,
): Promise<{ cancelRequested: boolean }> {
  const keys = ingestionKeys(prefix, ingestionId);
  const fields: Record<string, number> = { ...countFields(update.counts), bytesRead: update.bytes.read };
  if (update.bytes.total !== undefined) fields.bytesTotal = update.bytes.total;
  const tx = redis.multi().hset(keys.hash, fields);
  if (update.skipped.length) tx.rpush(keys.skipped, ...update.skipped.map((s) => JSON.stringify(s)));
  if (update.collisions.length) tx.rpush(keys.collisions, ...update.collisions.map((c) => JSON.stringify(c)));
  tx.hget(keys.hash, "cancelRequested");
  const results = await tx.exec();
  return { cancelRequested: results?.at(-1)?.[1] === "1" };
}

/** Every batch before the checkpoint's position is queued: a re-run may start there. */
export async function recordCheckpoint(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
  checkpoint: ReadCheckpoint,
): Promise<void> {
  await redis.hset(ingestionKeys(prefix, ingestionId).hash, "readPosition", JSON.stringify(checkpoint));
}

/** The source is read to its end: state `embedding` until the finalize job settles the ingestion. */
export async function markReadDone(redis: RedisClient, prefix: string, ingestionId: string): Promise<void> {
  await redis.hset(ingestionKeys(prefix, ingestionId).hash, { state: "embedding", readDoneAt: Date.now() });
}

function countFields(counts: ReadCounts): Record<string, number> {
  const fields: Record<string, number> = {
    rowsRead: counts.rowsRead,
    rowsSkipped: counts.rowsSkipped,
    rowsCollided: counts.rowsCollided,
    chunks: counts.chunks,
    batchesQueued: counts.batchesQueued,
  };
  for (const [reason, n] of Object.entries(counts.skippedBy)) fields[`${SKIPPED_FIELD}${reason}`] = n;
  return fields;
}
