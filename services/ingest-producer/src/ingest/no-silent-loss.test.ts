import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { getIngestion, submitIngestion } from "./ingestions.js";

/**
 * Ingestion must lose nothing and say so (real Redis and BullMQ; a test worker stands in for embed-worker):
 * every row read is upserted, skipped with its line and reason, or in a failed batch.
 */
let harness: TestHarness | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-loss-"));
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const finished = (h: TestHarness, id: string) => async () => {
  const view = await getIngestion(h.deps, id);
  return ["completed", "failed", "cancelled"].includes(view.state) ? view : undefined;
};

const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

function start(): TestHarness {
  const h = createTestHarness({ sources: { dataDirs: [dir], maxRowBytes: 1024 * 1024 } });
  h.startProducer();
  h.startEmbedStandIn();
  return h;
}

describe("a pathologically nested row", () => {
  it("is one skipped row with its line in a JSON Lines file and a JSON array; the other rows go in", async () => {
    harness = start();
    const nested = `{"t":"deep","p":${deep(10_000)}}`;
    await writeFile(path.join(dir, "deep.jsonl"), `{"t":"one"}\n${nested}\n{"t":"three"}\n`);
    await writeFile(path.join(dir, "deep.json"), `[{"t":"one"},${nested},{"t":"three"}]`);
    for (const [file, line] of [
      ["deep.jsonl", 2],
      ["deep.json", 1],
    ] as const) {
      const queued = await submitIngestion(harness.deps, {
        collection: "c",
        source: { type: "file", path: file, format: "auto" },
        text: "t",
      });
      const view = await waitFor(finished(harness, queued.id));
      expect(view.state).toBe("completed");
      expect(view.rows).toMatchObject({ read: 3, skipped: 1 });
      expect(view.skipped.first).toEqual([
        { line, reason: "too_deeply_nested", message: expect.stringMatching(/more than 100 levels/) },
      ]);
      expect(view.points.upserted).toBe(2);
    }
  });

  it("in inline rows is refused with a 400 naming the row (it could not be queued at all)", async () => {
    harness = start();
    const rows = [{ t: "one" }, { t: "two", p: JSON.parse(deep(10_000)) }];
    await expect(
      submitIngestion(harness.deps, { collection: "c", source: { type: "rows", rows }, text: "t" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^source\.rows\[1\] nests/),
    });
  });
});
