import type { BatchRow, Collision, ReadCheckpoint } from "@hybrid/queue";
import { describe, expect, it } from "vitest";
import { createRowMapper } from "../../rows/map-row.js";
import type { OpenedSource, RawRecord, SourceSegment } from "../../sources/raw-record.js";
import { collect } from "../../testing/records.js";
import { createReadGuard } from "../read-guard.js";
import { batchRows } from "./batch-rows.js";
import { type BatchSink, enqueueBatches } from "./enqueue-batches.js";
import { mapRows } from "./map-rows.js";
import type { BatchItem, ChunkItem, SourceItem } from "./read-items.js";
import { createReadTally } from "./read-tally.js";
import { readSourceItems } from "./source-items.js";

// The stages of a read, each alone, with in-memory sources and sinks: no Redis, no BullMQ.

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

const record = (line: number, body: unknown): RawRecord => ({ line, bytes: 10, value: { body } });
const row = (line: number, text = `row ${line}`): BatchRow => ({
  rowId: `r${line}`,
  line,
  chunk: 0,
  text,
  payload: {},
});
const chunk = (line: number, bytes = 1): ChunkItem => ({ row: row(line), bytes });
const rowCounts = { rowsRead: 0, rowsSkipped: 0, chunks: 0, skippedBy: {}, skippedListed: 0 };
const quietGuard = () => createReadGuard({ idleTimeoutMs: 60_000, check: async () => false });

function openedOf(records: RawRecord[], segments?: SourceSegment[]): OpenedSource {
  return {
    reader: { format: "jsonl", detectedBy: "request", library: "test" },
    records: from(records),
    segments: segments ? from(segments) : undefined,
    key: "test",
    bytes: () => ({ read: 0 }),
  };
}

describe("source stage", () => {
  it("marks the start of each row group with its position", async () => {
    const guard = quietGuard();
    const segments = [
      { position: { rowGroup: 2, row: 20 }, records: from([record(20, "a")]) },
      { position: { rowGroup: 3, row: 21 }, records: from([record(21, "b"), record(22, "c")]) },
    ];
    const items = await collect(readSourceItems(openedOf([], segments), guard));
    await guard.close();
    expect(items.map((i) => ("checkpoint" in i ? `@${i.checkpoint.rowGroup}` : i.record.line))).toEqual([
      "@2",
      20,
      "@3",
      21,
      22,
    ]);
  });

  it("ends a wait on a silent source when the read is cancelled, and closes the source", async () => {
    let cancel = false;
    const guard = createReadGuard({ idleTimeoutMs: 60_000, check: async () => cancel, checkEveryMs: 10 });
    const silent = (async function* () {
      yield record(0, "a");
      await new Promise(() => undefined);
    })();
    const items = readSourceItems({ ...openedOf([]), records: silent }, guard);
    expect((await items.next()).value).toEqual({ record: record(0, "a") });
    const waiting = items.next();
    cancel = true;
    await expect(waiting).rejects.toThrow(/cancelled/);
    expect(guard.cancelled).toBe(true);
    await guard.close();
  });

  it("closes the source when the read stops early", async () => {
    const guard = quietGuard();
    let closed = false;
    const records = (async function* () {
      try {
        yield record(0, "a");
        yield record(1, "b");
      } finally {
        closed = true;
      }
    })();
    const items = readSourceItems({ ...openedOf([]), records }, guard);
    await items.next();
    await items.return(undefined);
    await guard.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(true);
  });
});

describe("rows and chunks stage", () => {
  it("counts rows and skips, weighs each chunk, and gives a checkpoint the counts before it", async () => {
    const tally = createReadTally();
    const map = createRowMapper({ text: "body", chunking: { maxTokens: 8, overlap: 0 } }, "src");
    const items: SourceItem[] = [
      { record: record(0, "short") },
      { record: record(1, 42) },
      { checkpoint: { rowGroup: 1, row: 2 } },
      { record: record(2, Array.from({ length: 12 }, (_, i) => `w${i}`).join(" ")) },
    ];
    const out = await collect(mapRows(from(items), map, tally));
    expect(out.map((i) => ("checkpoint" in i ? "@" : i.row.chunk))).toEqual([0, "@", 0, 1]);
    expect(out[0]).toMatchObject({ bytes: 10 + "short".length });
    expect(out[1]).toMatchObject({
      checkpoint: { rowGroup: 1, row: 2 },
      rows: { rowsRead: 2, rowsSkipped: 1, chunks: 1, skippedBy: { non_string_text: 1 }, skippedListed: 1 },
    });
    expect(tally.counts()).toMatchObject({ rowsRead: 3, rowsSkipped: 1, chunks: 3 });
    const update = tally.takeUpdate({ read: 5 });
    expect(update.skipped).toEqual([{ line: 1, reason: "non_string_text", message: expect.any(String) }]);
    expect(tally.takeUpdate({ read: 5 }).skipped).toEqual([]);
  });
});

describe("batches stage", () => {
  const limits = { maxRows: 3, maxBytes: 100, keepOnError: () => false };

  it("closes a batch at its row count, its byte bound and every checkpoint", async () => {
    const items: ChunkItem[] = [
      chunk(0),
      chunk(1),
      chunk(2),
      chunk(3),
      { checkpoint: { rowGroup: 1, row: 4 }, rows: rowCounts },
      chunk(4, 60),
      chunk(5, 60),
      chunk(6),
    ];
    const out = await collect(batchRows(from(items), limits));
    expect(out.map((i) => ("checkpoint" in i ? "@" : i.batch.map((r) => r.line)))).toEqual([
      [0, 1, 2],
      [3],
      "@",
      [4, 5],
      [6],
    ]);
  });

  it("hands on the rows before a failure only when they are wanted, then the failure", async () => {
    const failing = async function* () {
      yield chunk(0);
      throw new Error("source broke");
    };
    const kept = batchRows(failing(), { ...limits, keepOnError: () => true });
    expect((await kept.next()).value).toMatchObject({
      batch: [row(0)],
      afterError: { error: expect.any(Error) },
    });
    await expect(kept.next()).rejects.toThrow("source broke");
    await expect(collect(batchRows(failing(), limits))).rejects.toThrow("source broke");
  });
});

describe("enqueue stage", () => {
  function memorySink(options: { capacity?: () => boolean; done?: number[]; collide?: number } = {}) {
    const added: Array<[number, number[]]> = [];
    const checkpoints: ReadCheckpoint[] = [];
    const sink: BatchSink = {
      async waitForCapacity(signal) {
        while (options.capacity && !options.capacity()) {
          signal.throwIfAborted();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      recordPoints: async (_, rows): Promise<Collision[]> =>
        rows
          .filter((r) => r.line === options.collide)
          .map((r) => ({ line: r.line, earlierLine: 0, rowId: r.rowId })),
      isDone: async (index) => options.done?.includes(index) ?? false,
      add: async (index, rows) => {
        added.push([index, rows.map((r) => r.line)]);
      },
      recordCheckpoint: async (checkpoint) => {
        checkpoints.push(checkpoint);
      },
    };
    return { sink, added, checkpoints };
  }
  const options = (cancel = new AbortController().signal) => ({
    cancel,
    rerun: false,
    onLostRows: () => undefined,
  });

  it("numbers batches in order, counts collisions, and records a checkpoint once the batches before it are queued", async () => {
    const { sink, added, checkpoints } = memorySink({ collide: 1 });
    const tally = createReadTally();
    const items: BatchItem[] = [
      { batch: [row(0), row(1)] },
      { checkpoint: { rowGroup: 1, row: 2 }, rows: { ...rowCounts, rowsRead: 2, chunks: 2 } },
      { batch: [row(2)] },
    ];
    await enqueueBatches(from(items), sink, tally, options());
    expect(added).toEqual([
      [0, [0, 1]],
      [1, [2]],
    ]);
    expect(checkpoints).toEqual([
      {
        position: { rowGroup: 1, row: 2 },
        counts: { rowsRead: 2, rowsSkipped: 0, rowsCollided: 1, chunks: 2, batchesQueued: 1, skippedBy: {} },
        listed: { skipped: 0, collisions: 1 },
      },
    ]);
  });

  it("on a re-run skips the batches already done, still numbering them", async () => {
    const { sink, added } = memorySink({ done: [0] });
    await enqueueBatches(from([{ batch: [row(0)] }, { batch: [row(1)] }]), sink, createReadTally(), {
      ...options(),
      rerun: true,
    });
    expect(added).toEqual([[1, [1]]]);
  });

  it("holds the source back while there is no capacity, and a cancel ends the wait with nothing queued", async () => {
    const { sink, added } = memorySink({ capacity: () => false });
    let pulled = 0;
    const batches = (async function* () {
      for (let i = 0; i < 10; i++) {
        pulled += 1;
        yield { batch: [row(i)] };
      }
    })();
    const cancel = new AbortController();
    const running = enqueueBatches(batches, sink, createReadTally(), options(cancel.signal));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(pulled).toBe(1);
    cancel.abort(new Error("cancelled"));
    await expect(running).rejects.toThrow("cancelled");
    expect(added).toEqual([]);
  });

  it("reports, and does not throw for, rows before a failure that cannot be queued", async () => {
    const { sink } = memorySink();
    sink.add = async () => {
      throw new Error("redis down");
    };
    const lost: unknown[] = [];
    const items: BatchItem[] = [{ batch: [row(0)], afterError: { error: new Error("source broke") } }];
    await enqueueBatches(from(items), sink, createReadTally(), {
      ...options(),
      onLostRows: (error) => lost.push(error),
    });
    expect(lost).toEqual([new Error("redis down")]);
  });
});
