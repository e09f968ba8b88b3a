import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  alivePids,
  freePort,
  isListening,
  makeTempDir,
  startQdrantLocalProcess,
  startRedisServer,
  startService,
  waitReady,
} from "./index.js";

describe("startRedisServer", () => {
  it("keeps acknowledged writes across stop/restart on the same port and dir, and restarts after kill -9", async () => {
    const redis = await startRedisServer({ appendonly: true });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    await client.set("harness:key", "kept");
    client.disconnect();

    await redis.stop();
    expect(await isListening(redis.port)).toBe(false);
    await redis.restart();
    const again = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    expect(await again.get("harness:key")).toBe("kept");
    again.disconnect();

    const firstPid = redis.pid;
    await redis.kill();
    expect(alivePids([firstPid])).toEqual([]);
    await redis.restart();
    expect(redis.pid).not.toBe(firstPid);
    expect(await isListening(redis.port)).toBe(true);
  });
});

describe("startQdrantLocalProcess", () => {
  it("keeps a collection across kill -9 and restart on the same port and storage", async () => {
    const qdrant = await startQdrantLocalProcess({ storage: makeTempDir("e2e-qdrant-") });
    const create = await fetch(`${qdrant.url}/collections/harness`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vectors: { dense: { size: 4, distance: "Cosine" } } }),
    });
    expect(create.status).toBe(200);
    await qdrant.kill();
    await qdrant.restart();
    const info = await fetch(`${qdrant.url}/collections/harness`);
    expect(info.status).toBe(200);
  });
});

let leftOverPid = 0;
describe("startService", () => {
  it("starts a service against the local mode, waits for /readyz, and stops it gracefully", async () => {
    const qdrant = await startQdrantLocalProcess();
    const api = await startService("query-api", { QDRANT_URL: qdrant.url });
    await api.ready();
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const exit = await api.stop();
    expect(exit.code).toBe(0);
    expect(api.logs()).toMatch(/\[query-api:\d+\] /);
  });

  it("kills what a test started when the test ends (even if it never stopped it)", async () => {
    const worker = await startService("embed-worker", {});
    leftOverPid = worker.pid;
    expect(alivePids([leftOverPid])).toEqual([leftOverPid]);
  });

  it("…so nothing from the previous test is left", () => {
    expect(leftOverPid).toBeGreaterThan(0);
    expect(alivePids([leftOverPid])).toEqual([]);
  });

  it("waitReady names the URL and the last answer when nothing comes up", async () => {
    const port = await freePort();
    await expect(waitReady(`http://127.0.0.1:${port}`, { timeoutMs: 600 })).rejects.toThrow(
      new RegExp(`127\\.0\\.0\\.1:${port}/readyz not ready after 600 ms`),
    );
  });
});
