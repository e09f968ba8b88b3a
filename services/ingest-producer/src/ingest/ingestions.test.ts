import { afterEach, describe, expect, it } from "vitest";
import { startHfServer } from "../testing/hf-server.js";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import {
  cancelIngestion,
  getIngestion,
  listFailures,
  listIngestions,
  submitIngestion,
} from "./ingestions.js";

let harness: TestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, body: `text number ${i}` }));
describe("ingestion flow (real Redis and BullMQ; a test worker stands in for embed-worker)", () => {
  it("reads inline rows into batches, counts skips, and completes with every point", async () => {
    harness = createTestHarness();
    harness.startProducer();
    harness.startEmbedStandIn();
    const input = [...rows(9), { id: "bad", body: 42 }, { id: "empty", body: "  " }, { body: "no id" }];
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "rows", rows: input },
      text: "body",
      id: "id",
    });
    expect(queued.state).toBe("queued");
    const view = await harness.waitForEnd(queued.id);
    expect(view.state).toBe("completed");
    expect(view.rows).toEqual({ read: 12, skipped: 3, upserted: 9, failed: 0, pending: 0, total: 12 });
    expect(view.skipped.byReason).toEqual({ non_string_text: 1, empty_text: 1, missing_id: 1 });
    expect(view.skipped.first.map((s) => s.line)).toEqual([9, 10, 11]);
    expect(view.batches).toEqual({ queued: 3, done: 3, failed: 0, pending: 0 });
    expect(view.points.upserted).toBe(9);
    expect((await listIngestions(harness.deps, { limit: 10 })).map((v) => v.id)).toEqual([queued.id]);
    const completed = await listIngestions(harness.deps, { limit: 10, state: "completed" });
    expect(completed.map((v) => v.id)).toEqual([queued.id]);
    expect(await listIngestions(harness.deps, { limit: 10, state: "failed" })).toEqual([]);
  });

  it("lists failed batches with their error and marks the ingestion failed", async () => {
    harness = createTestHarness();
    harness.startProducer();
    harness.startEmbedStandIn({ fail: (batch) => batch.batchIndex === 1 });
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "rows", rows: rows(10) },
      text: "body",
    });
    const view = await harness.waitForEnd(queued.id);
    expect(view.state).toBe("failed");
    expect(view.batches).toMatchObject({ queued: 3, done: 2, failed: 1 });
    expect(view.error).toMatch(/1 of 3 batches failed/);
    expect(view.rows).toMatchObject({ read: 10, skipped: 0, upserted: 6, failed: 4, pending: 0 });
    const failures = await listFailures(harness.deps, queued.id);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      batchIndex: 1,
      error: "store refused batch 1",
      lines: { first: 4, last: 7 },
      attemptsMade: 2,
    });
  });

  it("ingests a Hugging Face split slice with chunking, ids derived from row_idx", async () => {
    const hf = await startHfServer({ total: 120 });
    try {
      harness = createTestHarness({ sources: { hfDatasetsUrl: hf.url }, limits: { batchSize: 16 } });
      harness.startProducer();
      const seen: number[] = [];
      harness.startEmbedStandIn({ seen });
      const queued = await submitIngestion(harness.deps, {
        collection: "c",
        source: { type: "hf", dataset: "test/docs", split: "corpus[50%:]" },
        text: "text",
        chunking: { maxTokens: 8, overlap: 2 },
      });
      const view = await harness.waitForEnd(queued.id);
      expect(view.state).toBe("completed");
      expect(view.rows).toEqual({ read: 60, skipped: 1, upserted: 59, failed: 0, pending: 0, total: 60 });
      expect(view.skipped.first).toEqual([{ line: 107, reason: "empty_text", message: expect.any(String) }]);
      // The text is 13 words: two chunks of at most 8 words overlapping by 2.
      expect(view.chunks).toBe(118);
      expect(view.points.upserted).toBe(118);
      expect(view.batches.queued).toBe(8);
      expect(seen).toHaveLength(8);
    } finally {
      await hf.close();
    }
  });

  it("fails the ingestion at once, with the reason, when the source cannot be read as asked", async () => {
    harness = createTestHarness();
    harness.startProducer();
    harness.startEmbedStandIn();
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "file", path: "src/testing/fixtures/places.jsonl", format: "json" },
      text: "name",
    });
    const view = await harness.waitForEnd(queued.id);
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/reading the source failed: .*not a JSON array/);
    const read = await harness.deps.ingestQueue.getJob(`${queued.id}-read`);
    expect(read?.attemptsMade).toBe(1);
  });

  it("closes a batch early when its rows reach the byte bound", async () => {
    harness = createTestHarness({ limits: { batchSize: 64, maxBatchBytes: 1000 } });
    harness.startProducer();
    harness.startEmbedStandIn();
    const big = Array.from({ length: 10 }, (_, i) => ({ body: `${i} ${"x".repeat(200)}` }));
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "rows", rows: big },
      text: "body",
    });
    const view = await harness.waitForEnd(queued.id);
    // Each row counts ~420 bytes (its JSON plus its text): a batch closes at its third row.
    expect(view.batches.queued).toBe(4);
    expect(view.points.upserted).toBe(10);
  });

  it("holds reading back while too many batches are pending", async () => {
    harness = createTestHarness({ limits: { batchSize: 1, maxPendingBatches: 2 } });
    harness.startProducer();
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "rows", rows: rows(20) },
      text: "body",
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const paused = await getIngestion(harness.deps, queued.id);
    expect(paused.state).toBe("reading");
    expect(paused.batches.queued).toBeLessThanOrEqual(3);
    expect(await harness.deps.embedQueue.count()).toBe(2);
    harness.startEmbedStandIn();
    const view = await harness.waitForEnd(queued.id);
    expect(view.state).toBe("completed");
    expect(view.points.upserted).toBe(20);
  });

  it("cancels: pending batches are removed and the ingestion ends cancelled", async () => {
    harness = createTestHarness({ limits: { batchSize: 1, maxPendingBatches: 5 } });
    harness.startProducer();
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "rows", rows: rows(50) },
      text: "body",
    });
    await waitFor(async () => ((await harness?.deps.embedQueue.count()) === 5 ? true : undefined));
    const cancelling = await cancelIngestion(harness.deps, queued.id);
    expect(cancelling.cancelRequested).toBe(true);
    const view = await harness.waitForEnd(queued.id);
    expect(view.state).toBe("cancelled");
    expect(view.batches.done).toBe(0);
    expect(await harness.deps.embedQueue.count()).toBe(0);
    await expect(cancelIngestion(harness.deps, queued.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
