import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "../connection.js";
import { ingestionKeys } from "./ingestion-keys.js";
import { recordBatchDone, recordBatchFailed, recordBatchPoints } from "./record-batch.js";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `test-queue-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("recordBatchDone / recordBatchFailed", () => {
  it("counts each batch once however often it is redelivered", async () => {
    const keys = ingestionKeys(prefix, "ing-a");
    await redis.hset(keys.hash, { state: "reading" });
    expect(await recordBatchDone(redis, prefix, { ingestionId: "ing-a", batchIndex: 0 }, 64)).toBe(true);
    expect(await recordBatchDone(redis, prefix, { ingestionId: "ing-a", batchIndex: 0 }, 64)).toBe(false);
    expect(await recordBatchDone(redis, prefix, { ingestionId: "ing-a", batchIndex: 1 }, 10)).toBe(true);
    const hash = await redis.hgetall(keys.hash);
    expect(hash.batchesDone).toBe("2");
    expect(hash.pointsUpserted).toBe("74");
  });

  it("keeps a failure with its reason until the batch succeeds on a later retry", async () => {
    const keys = ingestionKeys(prefix, "ing-b");
    await redis.hset(keys.hash, { state: "reading" });
    const batch = { ingestionId: "ing-b", batchIndex: 3 };
    expect(await recordBatchFailed(redis, prefix, batch, "store unavailable")).toBe(true);
    expect(await recordBatchFailed(redis, prefix, batch, "store unavailable")).toBe(false);
    expect(await redis.hget(keys.failed, "3")).toBe("store unavailable");
    expect(await redis.hget(keys.hash, "batchesFailed")).toBe("1");
    await recordBatchDone(redis, prefix, batch, 5);
    expect(await redis.hget(keys.hash, "batchesFailed")).toBe("0");
    expect(await redis.hexists(keys.failed, "3")).toBe(0);
    expect(await recordBatchFailed(redis, prefix, batch, "late duplicate")).toBe(false);
  });

  it("does not create progress for an unknown ingestion", async () => {
    expect(await recordBatchDone(redis, prefix, { ingestionId: "ing-none", batchIndex: 0 }, 1)).toBe(false);
    expect(await redis.exists(ingestionKeys(prefix, "ing-none").hash)).toBe(0);
  });

  it("falls back on the worker's own rows and points where the producer's record of a batch is gone", async () => {
    // A failover can lose the record while the batch itself survives elsewhere (re-queued, or done on the new master).
    const keys = ingestionKeys(prefix, "ing-lost");
    await redis.hset(keys.hash, { state: "embedding" });
    expect(await recordBatchDone(redis, prefix, { ingestionId: "ing-lost", batchIndex: 4 }, 7, 5)).toBe(true);
    expect(await redis.hgetall(keys.hash)).toMatchObject({
      batchesDone: "1",
      pointsUpserted: "7",
      rowsUpserted: "5",
    });
  });
});

describe("recordBatchPoints", () => {
  it("finds rows landing on an earlier row's point, within and across batches, and counts distinct points", async () => {
    const keys = ingestionKeys(prefix, "ing-c");
    await redis.hset(keys.hash, { state: "reading" });
    const first = { ingestionId: "ing-c", batchIndex: 0, rows: 3 };
    const points = [
      { pointId: "p1", line: 1 },
      { pointId: "p2", line: 2 },
      { pointId: "p1", line: 3 },
    ];
    expect(await recordBatchPoints(redis, prefix, first, points)).toEqual([undefined, undefined, 1]);
    const second = { ingestionId: "ing-c", batchIndex: 1, rows: 2 };
    const later = [
      { pointId: "p2", line: 4 },
      { pointId: "p3", line: 5 },
    ];
    expect(await recordBatchPoints(redis, prefix, second, later)).toEqual([2, undefined]);
    // A re-read of the same source finds each row's own line: the same answers, nothing new.
    expect(await recordBatchPoints(redis, prefix, first, points)).toEqual([undefined, undefined, 1]);
    expect(await redis.hgetall(keys.batches)).toEqual({ "r:0": "3", "p:0": "2", "r:1": "2", "p:1": "1" });

    await recordBatchDone(redis, prefix, first, 3);
    await recordBatchFailed(redis, prefix, second, "store refused it");
    expect(await redis.hgetall(keys.hash)).toMatchObject({
      pointsUpserted: "2",
      rowsUpserted: "3",
      rowsFailed: "2",
      batchesFailed: "1",
    });
    await recordBatchDone(redis, prefix, second, 2);
    expect(await redis.hgetall(keys.hash)).toMatchObject({
      pointsUpserted: "3",
      rowsUpserted: "5",
      rowsFailed: "0",
      batchesFailed: "0",
    });
  });
});
