import type { OpenedSource, RawRecord } from "../../sources/raw-record.js";
import type { ReadGuard } from "../read-guard.js";
import type { SourceItem } from "./read-items.js";

/**
 * Source stage: the opened source's records (with a checkpoint at the start of each row group of a source read by
 * row group), every wait on the source going through the guard, so a cancel or a stalled source ends the read even
 * while the source is silent. The source is closed when the read stops early; nobody waits for an abandoned reader,
 * which ends once its aborted fetch rejects.
 */
export async function* readSourceItems(opened: OpenedSource, guard: ReadGuard): AsyncGenerator<SourceItem> {
  if (!opened.segments) {
    yield* guarded(opened.records, guard, (record) => ({ record }));
    return;
  }
  for await (const segment of guarded(opened.segments, guard, (s) => s)) {
    yield { checkpoint: segment.position };
    yield* guarded(segment.records, guard, (record: RawRecord) => ({ record }));
  }
}

async function* guarded<T, U>(source: AsyncIterable<T>, guard: ReadGuard, wrap: (value: T) => U) {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await guard.step(iterator.next());
      if (next.done) {
        finished = true;
        return;
      }
      yield wrap(next.value);
    }
  } finally {
    if (!finished) void iterator.return?.().catch(() => undefined);
  }
}
