import type { BatchRow, Collision, ReadCheckpoint } from "@hybrid/queue";
import type { BatchItem } from "./read-items.js";
import type { ReadTally } from "./read-tally.js";

/** Where batches go: the ingestion's queue and progress (Redis and BullMQ in the producer, plain functions in tests). */
export interface BatchSink {
  /** Resolves once another batch may be queued (backpressure); rejects with the signal's reason once it aborts. */
  waitForCapacity(signal: AbortSignal): Promise<void>;
  /** Records the batch's points before it is queued; answers the rows that land on an earlier row's point. */
  recordPoints(batchIndex: number, rows: BatchRow[]): Promise<Collision[]>;
  /** Whether the batch was already processed by an earlier run (asked on re-runs only). */
  isDone(batchIndex: number): Promise<boolean>;
  /** Queues the batch; adding a batch that is already queued adds nothing (ids are deterministic). */
  add(batchIndex: number, rows: BatchRow[]): Promise<void>;
  /** Every batch before the checkpoint is queued. */
  recordCheckpoint(checkpoint: ReadCheckpoint): Promise<void>;
}

export interface EnqueueOptions {
  /** Aborted when the ingestion is cancelled: nothing more is queued, a wait for capacity ends at once. */
  cancel: AbortSignal;
  /** A re-run: batches an earlier run saw processed are not queued again. */
  rerun: boolean;
  /** The rows read before a failure could not be queued; the failure itself is still reported. */
  onLostRows: (error: unknown, rows: BatchRow[]) => void;
}

/**
 * Enqueue stage: queues each batch in order with the next batch index, waiting while too many are pending, and
 * records each checkpoint once the batches before it are queued. Pulling the next batch only after this one is
 * queued is what holds the source back.
 */
export async function enqueueBatches(
  items: AsyncIterable<BatchItem>,
  sink: BatchSink,
  tally: ReadTally,
  options: EnqueueOptions,
): Promise<void> {
  const queue = async (rows: BatchRow[]) => {
    await sink.waitForCapacity(options.cancel);
    if (options.cancel.aborted) return;
    const batchIndex = tally.batchQueued();
    tally.collided(await sink.recordPoints(batchIndex, rows));
    if (options.rerun && (await sink.isDone(batchIndex))) return;
    await sink.add(batchIndex, rows);
  };
  for await (const item of items) {
    if (options.cancel.aborted) return;
    if ("checkpoint" in item) {
      await sink.recordCheckpoint(tally.checkpoint(item.checkpoint, item.rows));
      continue;
    }
    try {
      await queue(item.batch);
    } catch (error) {
      if (!item.afterError) throw error;
      options.onLostRows(error, item.batch);
    }
  }
}
