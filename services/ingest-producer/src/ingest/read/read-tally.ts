import {
  type Collision,
  EMPTY_READ_COUNTS,
  type ReadCheckpoint,
  type ReadCounts,
  type ReadPosition,
  type ReadUpdate,
  type SkippedRow,
} from "@hybrid/queue";
import type { SkipReason } from "../../sources/raw-record.js";
import type { RowCounts } from "./read-items.js";

/** At most this many skipped rows and collisions are kept with their lines (all are counted). */
export const LISTED_KEPT = 100;

/**
 * What one read has counted, and the list entries not yet written. The row stage counts rows, skips and chunks;
 * the enqueue stage batches and collisions; the progress writer takes updates. A re-run from a checkpoint starts
 * from the checkpoint's counts.
 */
export interface ReadTally {
  counts(): ReadCounts;
  row(): void;
  skip(entry: SkippedRow & { reason: SkipReason }): void;
  chunk(): void;
  /** A batch is queued: answers its index. */
  batchQueued(): number;
  /** Collisions of a queued batch; a row whose chunks straddle two batches counts once. */
  collided(collisions: Collision[]): void;
  /** The row stage's part of a checkpoint. */
  rowCounts(): RowCounts;
  /** A checkpoint at `position`, completed with the enqueue stage's counts. */
  checkpoint(position: ReadPosition, rows: RowCounts): ReadCheckpoint;
  /** The counts and the list entries kept since the last update. */
  takeUpdate(bytes: ReadUpdate["bytes"]): ReadUpdate;
}

export function createReadTally(from?: ReadCheckpoint): ReadTally {
  const counts: ReadCounts = structuredClone(from?.counts ?? EMPTY_READ_COUNTS);
  let skippedListed = from?.listed.skipped ?? 0;
  let collisionsListed = from?.listed.collisions ?? 0;
  let skipped: SkippedRow[] = [];
  let collisions: Collision[] = [];
  let lastCollisionLine: number | undefined;
  const snapshot = (): ReadCounts => ({ ...counts, skippedBy: { ...counts.skippedBy } });
  return {
    counts: snapshot,
    row() {
      counts.rowsRead += 1;
    },
    skip(entry) {
      counts.rowsSkipped += 1;
      counts.skippedBy[entry.reason] = (counts.skippedBy[entry.reason] ?? 0) + 1;
      if (skippedListed < LISTED_KEPT) {
        skippedListed += 1;
        skipped.push(entry);
      }
    },
    chunk() {
      counts.chunks += 1;
    },
    batchQueued() {
      counts.batchesQueued += 1;
      return counts.batchesQueued - 1;
    },
    collided(found) {
      for (const collision of found) {
        if (collision.line === lastCollisionLine) continue;
        lastCollisionLine = collision.line;
        counts.rowsCollided += 1;
        if (collisionsListed < LISTED_KEPT) {
          collisionsListed += 1;
          collisions.push(collision);
        }
      }
    },
    rowCounts() {
      const { rowsRead, rowsSkipped, chunks, skippedBy } = snapshot();
      return { rowsRead, rowsSkipped, chunks, skippedBy, skippedListed };
    },
    checkpoint(position, rows) {
      const { skippedListed: listedSkipped, ...rowPart } = rows;
      return {
        position,
        counts: { ...rowPart, rowsCollided: counts.rowsCollided, batchesQueued: counts.batchesQueued },
        listed: { skipped: listedSkipped, collisions: collisionsListed },
      };
    },
    takeUpdate(bytes) {
      const update = { counts: snapshot(), bytes, skipped, collisions };
      skipped = [];
      collisions = [];
      return update;
    },
  };
}
