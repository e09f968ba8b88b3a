import { Redis, type RedisOptions } from "ioredis";

/**
 * ioredis options BullMQ needs: `maxRetriesPerRequest: null` so a blocking worker connection waits out a Redis
 * restart instead of throwing, and no ready check delay. Built from a `redis://` or `rediss://` URL.
 */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
  };
}

/** A connection for BullMQ queues, workers and the progress counters. Call `quit()` when done. */
export function createRedis(url: string, options: { lazy?: boolean } = {}): Redis {
  return new Redis({ ...redisOptions(url), lazyConnect: options.lazy ?? false });
}
