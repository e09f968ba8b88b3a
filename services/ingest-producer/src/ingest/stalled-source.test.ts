import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProducerApp } from "../http/create-app.js";
import { startHfServer } from "../testing/hf-server.js";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { cancelIngestion, getIngestion, submitIngestion } from "./ingestions.js";

/** A real HTTP server that sends three JSON Lines rows, then keeps the response open without another byte. */
async function startStallingServer() {
  const open = new Set<ServerResponse>();
  let requests = 0;
  let closedByClient = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    open.add(res);
    res.on("close", () => {
      open.delete(res);
      if (!res.writableEnded) closedByClient += 1;
    });
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    for (let i = 0; i < 3; i++) res.write(`${JSON.stringify({ id: `s${i}`, body: `stalled row ${i}` })}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rows.jsonl`,
    requests: () => requests,
    closedByClient: () => closedByClient,
    async close() {
      for (const res of open) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let harness: TestHarness | undefined;
let stalling: Awaited<ReturnType<typeof startStallingServer>> | undefined;
afterEach(async () => {
  await stalling?.close();
  await harness?.close();
  harness = undefined;
  stalling = undefined;
});

describe("a source that sends a few rows and then stalls (real HTTP server, Redis and BullMQ)", () => {
  it("DELETE /v1/jobs/:id stops the read within seconds: the fetch is aborted and not retried", async () => {
    stalling = await startStallingServer();
    harness = createTestHarness({
      limits: { batchSize: 2 },
      sources: { urlAllowHosts: [new URL(stalling.url).origin] },
    });
    harness.startProducer();
    harness.startEmbedStandIn();
    const h = harness;
    const app = createProducerApp({ deps: h.deps, apiKeys: [], maxBodyBytes: 64 * 1024, readiness: [] });
    const queued = await submitIngestion(h.deps, {
      collection: "c",
      source: { type: "url", url: stalling.url, format: "auto" },
      text: "body",
      id: "id",
    });
    // The progress stays current while the source is silent.
    await waitFor(async () => ((await getIngestion(h.deps, queued.id)).rows.read === 3 ? true : undefined));

    const response = await app.request(`/v1/jobs/${queued.id}`, { method: "DELETE" });
    expect(response.status).toBe(202);
    const view = await h.waitForEnd(queued.id, 5000);
    expect(view.state).toBe("cancelled");
    expect(view.rows.read).toBe(3);
    const read = await h.deps.ingestQueue.getJob(`${queued.id}-read`);
    expect(await read?.getState()).toBe("completed");
    expect(read?.returnvalue).toMatchObject({ cancelled: true, rowsRead: 3 });
    await waitFor(async () => (stalling?.closedByClient() === 1 ? true : undefined), 2000);
    expect(stalling.requests()).toBe(1);
  });

  it("fails the read by itself after the idle timeout, with the reason, keeping the rows read before", async () => {
    stalling = await startStallingServer();
    harness = createTestHarness({
      limits: { batchSize: 2, sourceIdleTimeoutMs: 400 },
      sources: { urlAllowHosts: [new URL(stalling.url).origin] },
    });
    harness.startProducer();
    harness.startEmbedStandIn();
    const queued = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "url", url: stalling.url, format: "auto" },
      text: "body",
      id: "id",
    });
    const view = await harness.waitForEnd(queued.id, 5000);
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/reading the source failed: TIMEOUT: the source sent no data for 400 ms/);
    // Rows read before the stall are counted and stored (the last, partial batch too).
    expect(view.rows.read).toBe(3);
    expect(view.batches).toMatchObject({ queued: 2, done: 2, failed: 0 });
    expect(view.points.upserted).toBe(3);
    const read = await harness.deps.ingestQueue.getJob(`${queued.id}-read`);
    expect(read?.attemptsMade).toBe(1);
    expect(stalling.requests()).toBe(1);
    expect(stalling.closedByClient()).toBe(1);
  });

  it("a stalled Hugging Face page: cancel ends the read and the request is not retried", async () => {
    const hf = await startHfServer({ total: 150, stallFrom: 100 });
    try {
      harness = createTestHarness({ sources: { hfDatasetsUrl: hf.url }, limits: { batchSize: 50 } });
      harness.startProducer();
      harness.startEmbedStandIn();
      const h = harness;
      const queued = await submitIngestion(h.deps, {
        collection: "c",
        source: { type: "hf", dataset: "test/docs", config: "corpus", split: "corpus" },
        text: "text",
      });
      await waitFor(async () =>
        (await getIngestion(h.deps, queued.id)).rows.read === 100 ? true : undefined,
      );
      const stalledRequests = hf.requests.length;
      await cancelIngestion(h.deps, queued.id);
      const view = await h.waitForEnd(queued.id, 5000);
      expect(view.state).toBe("cancelled");
      // The hf reader retries failed requests; an aborted one must not be (wait past its first retry delay).
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(hf.requests.length).toBe(stalledRequests);
    } finally {
      await hf.close();
    }
  });
});
