import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { BatchJob, batchJobId } from "@hybrid/queue";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, TEST_MODELS, type TestHarness, waitFor } from "../testing/test-deps.js";
import { writeVectorSet } from "../testing/vector-set.js";
import { getIngestion, listIngestions, submitIngestion } from "./ingestions.js";

/** Vector sets fetched by URL through a whole ingestion (real HTTP server, Redis and BullMQ; a test worker embeds). */
let dir: string;
let server: Server;
let base: string;
let harness: TestHarness | undefined;
let fitting: ReturnType<typeof writeVectorSet>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-vector-urls-"));
  await mkdir(path.join(dir, "fits"));
  await mkdir(path.join(dir, "wide"));
  fitting = writeVectorSet(path.join(dir, "fits"), 12, TEST_MODELS.denseDim);
  writeVectorSet(path.join(dir, "wide"), 12, TEST_MODELS.denseDim * 2);
  server = createServer(async (req, res) => {
    const bytes = await readFile(path.join(dir, req.url ?? "")).catch(() => undefined);
    if (bytes) res.writeHead(200, { "content-length": bytes.length }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const setAt = (folder: string) => ({
  type: "vectors" as const,
  dense: `${base}/${folder}/dense_vectors.npy`,
  sparse: `${base}/${folder}/sparse_vectors.json`,
  payload: `${base}/${folder}/payload.json`,
});

describe("a vector set by URL", () => {
  it("is refused before anything is queued when its rows are not the collection's width", async () => {
    harness = createTestHarness({ sources: { urlAllowHosts: [base] } });
    await expect(
      submitIngestion(harness.deps, {
        collection: "c",
        source: setAt("wide"),
        text: "description",
        id: "id",
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /dense_vectors\.npy has rows of 8 numbers; collection "c" holds test\/dense vectors of 4/,
      ),
    });
    expect(await listIngestions(harness.deps, { limit: 10 })).toEqual([]);
  });

  it("is ingested with its vectors as stored", async () => {
    harness = createTestHarness({ sources: { urlAllowHosts: [base] }, limits: { batchSize: 5 } });
    harness.startProducer();
    harness.startEmbedStandIn();
    const h = harness;
    const queued = await submitIngestion(h.deps, {
      collection: "c",
      source: setAt("fits"),
      text: "description",
      id: "id",
    });
    const view = await waitFor(async () => {
      const v = await getIngestion(h.deps, queued.id);
      return v.state === "completed" ? v : undefined;
    });
    expect(view.rows).toMatchObject({ read: 12, skipped: 0, upserted: 12, pending: 0, total: 12 });
    expect(view.points.upserted).toBe(12);
    expect(view.source).toMatchObject({ type: "vectors", dense: `${base}/fits/dense_vectors.npy` });
    const first = BatchJob.parse((await h.deps.embedQueue.getJob(batchJobId(queued.id, 0)))?.data);
    expect(first.rows[3]).toMatchObject({
      rowId: "startup-3",
      vectors: { dense: fitting.dense[3], sparse: fitting.sparse[3] },
    });
  });
});
