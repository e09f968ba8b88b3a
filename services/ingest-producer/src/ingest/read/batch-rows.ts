import type { BatchRow } from "@hybrid/queue";
import type { BatchItem, ChunkItem } from "./read-items.js";

export interface BatchLimits {
  /** Rows (chunks) per batch. */
  maxRows: number;
  /** A batch closes once its rows weigh this many bytes, so job payloads stay bounded. */
  maxBytes: number;
  /**
   * Whether the rows of an unfinished batch are still wanted when the input fails with `error` (a failure that ends
   * the read for good: a retry would read them again, and find the batch taken).
   */
  keepOnError: (error: unknown) => boolean;
}

/**
 * Batches stage: groups rows into batches of at most `maxRows` rows, closing one early at `maxBytes` and at every
 * checkpoint (so a batch never spans a row-group boundary, and a re-run from there forms the same batches).
 */
export async function* batchRows(
  items: AsyncIterable<ChunkItem>,
  limits: BatchLimits,
): AsyncGenerator<BatchItem> {
  let batch: BatchRow[] = [];
  let bytes = 0;
  const take = () => {
    const full = batch;
    batch = [];
    bytes = 0;
    return full;
  };
  try {
    for await (const item of items) {
      if ("checkpoint" in item) {
        if (batch.length > 0) yield { batch: take() };
        yield item;
        continue;
      }
      batch.push(item.row);
      bytes += item.bytes;
      if (batch.length >= limits.maxRows || bytes >= limits.maxBytes) yield { batch: take() };
    }
  } catch (error) {
    if (batch.length > 0 && limits.keepOnError(error)) yield { batch: take(), afterError: { error } };
    throw error;
  }
  if (batch.length > 0) yield { batch: take() };
}
