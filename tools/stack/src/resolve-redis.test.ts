import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";
import { findOnPath, pingRedis } from "./redis.js";
import { HOW_TO_GET_REDIS, type ResolvedRedis, resolveRedis, standsInFor } from "./resolve-redis.js";

const machineRedis = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redisServer = findOnPath("redis-server");
const started: ResolvedRedis[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const redis of started.splice(0)) await redis.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stack-redis-"));
  dirs.push(dir);
  return dir;
}

describe("pingRedis", () => {
  it("answers true for the machine's Redis and false for a closed port or a non-redis URL", async () => {
    expect(await pingRedis(machineRedis)).toBe(true);
    expect(await pingRedis(`redis://127.0.0.1:${await freePort()}`)).toBe(false);
    expect(await pingRedis("http://127.0.0.1:6379")).toBe(false);
    expect(await pingRedis("not a url")).toBe(false);
  });
});

describe("resolveRedis", () => {
  it("uses REDIS_URL as it is when it answers", async () => {
    const redis = await resolveRedis({ url: machineRedis, dataDir: tempDir() });
    expect(redis).toMatchObject({ url: machineRedis, source: "external" });
    expect(redis.pid).toBeUndefined();
  });

  it.runIf(redisServer)(
    "starts its own redis-server with append-only on when REDIS_URL does not answer",
    async () => {
      const port = await freePort();
      const dataDir = tempDir();
      const redis = await resolveRedis({ url: `redis://127.0.0.1:${port}`, dataDir });
      started.push(redis);
      expect(redis).toMatchObject({ url: `redis://127.0.0.1:${port}`, source: "redis-server" });
      expect(await pingRedis(redis.url)).toBe(true);
      await expect
        .poll(() => existsSync(dataDir) && readdirSync(dataDir).some((f) => f.startsWith("appendonly")))
        .toBe(true);
      await redis.stop();
      expect(await pingRedis(redis.url)).toBe(false);
    },
  );

  it.runIf(redisServer)(
    "falls back to redis-memory-server (given the system binary) when no redis-server is on PATH",
    async () => {
      const redis = await resolveRedis({
        url: `redis://127.0.0.1:${await freePort()}`,
        dataDir: tempDir(),
        redisServerBin: null,
        memoryServerSystemBinary: redisServer,
      });
      started.push(redis);
      expect(redis.source).toBe("redis-memory-server");
      expect(await pingRedis(redis.url)).toBe(true);
    },
  );

  it("passes Sentinel, cluster, TLS and remote URLs through as they are, starting no Redis of its own", async () => {
    for (const url of [
      "redis+sentinel://:pw@127.0.0.1:1,127.0.0.1:2/mymaster?sentinelPassword=pw",
      "redis+cluster://127.0.0.1:1,127.0.0.1:2",
      `rediss://127.0.0.1:${await freePort()}`,
      "redis://cache.internal:6379",
    ]) {
      const redis = await resolveRedis({
        url,
        dataDir: tempDir(),
        redisServerBin: null,
        allowMemoryServer: false,
      });
      expect(redis, url).toMatchObject({ url, source: "external" });
      expect(redis.pid).toBeUndefined();
    }
    expect(standsInFor("redis://127.0.0.1:6380/2")).toBe(true);
    expect(standsInFor("redis://localhost")).toBe(true);
    expect(standsInFor("redis://[::1]:6379")).toBe(true);
  });

  it("stops with a message saying how to get Redis when none can be had", async () => {
    const attempt = resolveRedis({
      url: `redis://127.0.0.1:${await freePort()}`,
      dataDir: tempDir(),
      redisServerBin: null,
      allowMemoryServer: false,
    });
    await expect(attempt).rejects.toThrow(HOW_TO_GET_REDIS);
  });
});
