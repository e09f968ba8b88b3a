import { batchJobId, finalizeJobId, readJobId, recordBatchDone } from "@hybrid/queue";
import { isAppError } from "@hybrid/service-kit";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { getIngestion, submitIngestion } from "./ingestions.js";

let harness: TestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, body: `text number ${i}` }));

describe("writes a Redis failover loses (real Redis and BullMQ; a test worker stands in for embed-worker)", () => {
  it("queues again, by a second read of the source, a batch whose job vanished after the read queued it", async () => {
    const h = createTestHarness({ limits: { batchSize: 2 } });
    harness = h;
    h.startProducer();
    const queued = await submitIngestion(h.deps, {
      collection: "c",
      source: { type: "rows", rows: rows(10) },
      text: "body",
      id: "id",
    });
    await waitFor(async () => ((await getIngestion(h.deps, queued.id)).readDoneAt ? true : undefined));
    // What a promoted replica that missed the last writes looks like: batch 2 was added (the read counted it) but
    // neither its job nor the parent's dependency on it exists; batch 3 was done by a worker on the new master,
    // which counted it, but its job is gone too. Removing a job also drops it from its parent's dependencies.
    await (await h.deps.embedQueue.getJob(batchJobId(queued.id, 2)))?.remove();
    const batch3 = await h.deps.embedQueue.getJob(batchJobId(queued.id, 3));
    await recordBatchDone(h.deps.redis, h.prefix, { ingestionId: queued.id, batchIndex: 3 }, 2, 2);
    await batch3?.remove();
    expect(await h.deps.embedQueue.getJob(batchJobId(queued.id, 2))).toBeUndefined();

    const seen: number[] = [];
    h.startEmbedStandIn({ seen });
    const view = await waitFor(async () => {
      const v = await getIngestion(h.deps, queued.id);
      return v.ended ? v : undefined;
    }, 20_000);
    expect(view.state).toBe("completed");
    expect(view.batches).toEqual({ queued: 5, done: 5, failed: 0, pending: 0 });
    expect(view.rows).toMatchObject({ read: 10, upserted: 10, failed: 0, pending: 0 });
    expect(view.points.upserted).toBe(10);
    // Batch 2 came back through the second read; batch 3, counted done, was not redone.
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 4]);
    const reread = await h.deps.ingestQueue.getJob(readJobId(queued.id, 2));
    expect(await reread?.getState()).toBe("completed");
    expect(reread?.returnvalue).toMatchObject({ batchesQueued: 5, cancelled: false });
  });

  it("answers 503 when the new ingestion cannot be confirmed on the Redis replicas asked for", async () => {
    // One Redis server with no replica: WAIT 1 runs out.
    const h = createTestHarness({ replication: { replicas: 1, timeoutMs: 200 } });
    harness = h;
    const error = await submitIngestion(h.deps, {
      collection: "c",
      source: { type: "rows", rows: rows(1) },
      text: "body",
    }).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe("UNAVAILABLE");
    expect((error as Error).message).toMatch(/reached 0 of 1 Redis replicas within 200 ms/);
    // It is queued all the same (it may run); the 503 says only that a failover could lose it.
    const id = /ingestion "([^"]+)"/.exec((error as Error).message)?.[1] ?? "";
    expect(await h.deps.ingestQueue.getJob(finalizeJobId(id))).toBeDefined();
  });
});
