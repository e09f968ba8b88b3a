import { Redis } from "ioredis";

/**
 * Deletes every key under `<prefix>:` (the queues and progress hashes of one evaluation's stack) from the Redis at
 * `url`, so runs against a shared Redis leave nothing behind. Returns how many keys it removed.
 */
export async function deletePrefixedKeys(url: string, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix))
    throw new RangeError(`refusing to delete keys under a pattern-like prefix: ${prefix}`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    let removed = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== "0");
    return removed;
  } finally {
    redis.disconnect();
  }
}
