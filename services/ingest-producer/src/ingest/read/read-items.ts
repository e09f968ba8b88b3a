import type { BatchRow, ReadCounts, ReadPosition } from "@hybrid/queue";
import type { RawRecord } from "../../sources/raw-record.js";

/**
 * What flows between the stages of a read (source -> rows -> chunks -> batches -> enqueue). Besides the data, a
 * `checkpoint` marks a row-group boundary: everything before it has gone by. Each stage adds what it counts.
 */

/** Source stage: a record, or the start of a row group. */
export type SourceItem = { record: RawRecord } | { checkpoint: ReadPosition };

/** The row stages' counts at a checkpoint. */
export type RowCounts = Omit<ReadCounts, "rowsCollided" | "batchesQueued"> & { skippedListed: number };

/** Rows and chunks stages: one text to embed and the bytes it weighs in a batch, or a checkpoint. */
export type ChunkItem = { row: BatchRow; bytes: number } | { checkpoint: ReadPosition; rows: RowCounts };

/**
 * Batches stage: a batch of rows, or a checkpoint (the batch before it closed there). `afterError` marks the rows
 * read before a failure that ends the read for good: queued if they can be, the failure is reported either way.
 */
export type BatchItem =
  | { batch: BatchRow[]; afterError?: { error: unknown } }
  | { checkpoint: ReadPosition; rows: RowCounts };
