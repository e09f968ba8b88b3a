import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deletePrefixedKeys } from "./redis-cleanup.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("deletePrefixedKeys (real Redis at REDIS_URL)", () => {
  const prefix = `eval-test-${process.pid}-${Date.now().toString(36)}`;
  const redis = new Redis(url);
  afterAll(async () => {
    await redis.del(`${prefix}x:keep`);
    redis.disconnect();
  });

  it("removes every key under `<prefix>:` and nothing else", async () => {
    // More keys than one SCAN page, so the cursor loop is exercised.
    await redis.mset(
      Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`${prefix}:bull:embed:${i}`, "1"])),
    );
    await redis.hset(`${prefix}:ingestion:a`, "state", "completed");
    await redis.set(`${prefix}x:keep`, "1");
    expect(await deletePrefixedKeys(url, prefix)).toBe(1201);
    expect(await redis.exists(`${prefix}:ingestion:a`)).toBe(0);
    expect(await redis.get(`${prefix}x:keep`)).toBe("1");
  });

  it("refuses a prefix that would act as a pattern", async () => {
    await expect(deletePrefixedKeys(url, "eval*")).rejects.toThrow(RangeError);
  });
});
