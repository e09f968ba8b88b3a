import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "../connection.js";
import { ingestionKeys } from "./ingestion-keys.js";
import {
  createIngestionProgress,
  finishIngestion,
  requestCancel,
  settleBatches,
} from "./ingestion-lifecycle.js";
import { parseProgress, type ReadCheckpoint, type ReadCounts, readProgress } from "./progress-document.js";
import { recordCheckpoint, startRead, writeReadProgress } from "./reading-progress.js";
import { recordBatchDone, recordBatchPoints } from "./record-batch.js";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `test-progress-${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const create = (id: string) =>
  createIngestionProgress(redis, prefix, id, { collection: "c", source: "{}", createdAt: Date.now() }, 10);
const counts = (
  rowsRead: number,
  batchesQueued: number,
): { counts: ReadCounts; bytes: { read: number } } => ({
  counts: {
    rowsRead,
    rowsSkipped: 1,
    rowsCollided: 0,
    chunks: rowsRead - 1,
    batchesQueued,
    skippedBy: { empty_text: 1 },
  },
  bytes: { read: 10 },
});

describe("ingestion progress (real Redis)", () => {
  it("counts a batch once whether its worker or the finalize job records it", async () => {
    await create("ing-settle");
    const batches = [0, 1, 2].map((batchIndex) => ({ ingestionId: "ing-settle", batchIndex, rows: 2 }));
    for (const batch of batches)
      await recordBatchPoints(redis, prefix, batch, [{ pointId: `p${batch.batchIndex}`, line: 1 }]);
    // The worker of batch 0 recorded it; batch 1's worker could not; batch 2 failed for good.
    await recordBatchDone(redis, prefix, { ingestionId: "ing-settle", batchIndex: 0 }, 1);
    const settled = await settleBatches(redis, prefix, "ing-settle", {
      done: [
        { batchIndex: 0, points: 1 },
        { batchIndex: 1, points: 1 },
      ],
      failed: [{ batchIndex: 2, reason: "store refused it" }],
    });
    expect(settled).toEqual({ batchesDone: 2, batchesFailed: 1, pointsUpserted: 2 });
    await finishIngestion(redis, prefix, "ing-settle", { state: "failed", error: "1 of 3 failed" }, 60);
    const progress = await readProgress(redis, prefix, "ing-settle");
    expect(progress).toMatchObject({
      state: "failed",
      rowsUpserted: 4,
      rowsFailed: 2,
      error: "1 of 3 failed",
    });
    expect(progress?.finishedAt).toBeGreaterThan(0);
    expect(await redis.ttl(ingestionKeys(prefix, "ing-settle").hash)).toBeGreaterThan(0);
    expect(await requestCancel(redis, prefix, "ing-settle")).toBe("failed");
    expect((await readProgress(redis, prefix, "ing-settle"))?.cancelRequested).toBe(false);
  });

  it("starts a re-run at a checkpoint with its counts and the list entries before it", async () => {
    const id = "ing-resume";
    await create(id);
    await startRead(redis, prefix, id, undefined);
    const skipped = (line: number) => ({ line, reason: "empty_text", message: "" });
    await writeReadProgress(redis, prefix, id, { ...counts(10, 3), skipped: [skipped(4)], collisions: [] });
    const checkpoint: ReadCheckpoint = {
      position: { rowGroup: 1, row: 10 },
      counts: counts(10, 3).counts,
      listed: { skipped: 1, collisions: 0 },
    };
    await recordCheckpoint(redis, prefix, id, checkpoint);
    const later = {
      ...counts(15, 5),
      skipped: [skipped(12)],
      collisions: [{ line: 13, earlierLine: 2, rowId: "x" }],
    };
    later.counts.skippedBy = { empty_text: 1, missing_id: 3 };
    expect(await writeReadProgress(redis, prefix, id, later)).toEqual({ cancelRequested: false });

    const before = await readProgress(redis, prefix, id);
    expect(before?.readPosition).toEqual(checkpoint);
    await startRead(redis, prefix, id, before?.readPosition);
    const resumed = await readProgress(redis, prefix, id);
    expect(resumed).toMatchObject({ state: "reading", rowsRead: 10, batchesQueued: 3, chunks: 9 });
    expect(resumed?.skippedBy).toEqual({ empty_text: 1 });
    expect(resumed?.skipped).toEqual([skipped(4)]);
    expect(resumed?.collisions).toEqual([]);

    // Starting over drops the checkpoint and every list entry.
    await startRead(redis, prefix, id, undefined);
    const over = await readProgress(redis, prefix, id);
    expect(over).toMatchObject({ rowsRead: 0, batchesQueued: 0, skipped: [] });
    expect(over?.readPosition).toBeUndefined();
    expect(await requestCancel(redis, prefix, id)).toBe("reading");
    expect(
      await writeReadProgress(redis, prefix, id, { ...counts(1, 0), skipped: [], collisions: [] }),
    ).toEqual({
      cancelRequested: true,
    });
  });

  it("reads a damaged hash as zeros and placeholders instead of failing", () => {
    const progress = parseProgress(
      { state: "nonsense", rowsRead: "x", readPosition: "{", "skipped.empty_text": "2" },
      ["not json", '{"line":3}'],
      ["[]"],
    );
    expect(progress).toMatchObject({ state: "queued", rowsRead: 0, skippedBy: { empty_text: 2 } });
    expect(progress.readPosition).toBeUndefined();
    expect(progress.skipped).toEqual([
      { line: -1, reason: "unknown", message: "" },
      { line: 3, reason: "unknown", message: "" },
    ]);
    expect(progress.collisions).toEqual([{ line: -1, earlierLine: -1, rowId: "" }]);
  });
});
