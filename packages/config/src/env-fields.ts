import { z } from "zod";

/** Field builders shared by every service's env schema, so a port or a URL is validated the same way everywhere. */

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

export const positiveInt = (fallback: number, max = 1_000_000) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** One server (`redis://`), a Sentinel-managed master (`redis+sentinel://`) or a cluster (`redis+cluster://`). */
export const redisUrl = z
  .string()
  .default("redis://127.0.0.1:6379")
  .refine(
    (v) => /^rediss?(\+(sentinel|cluster))?:\/\//.test(v),
    "must start with redis://, rediss://, redis+sentinel:// or redis+cluster:// (rediss+ for TLS)",
  );

/**
 * BullMQ's key prefix. On a Redis Cluster every key of the deployment (queues, flows, progress) must share one slot,
 * since BullMQ's scripts and the progress scripts touch several at once: the prefix becomes the hash tag `{prefix}`.
 */
export function keyPrefix(redisUrl: string, prefix: string): string {
  return /^rediss?\+cluster:/.test(redisUrl) ? `{${prefix}}` : prefix;
}

/**
 * Replicas a new ingestion must reach (Redis `WAIT`) before the producer acknowledges it: the value given, else 1
 * behind Sentinel or a cluster (whose failover drops what no replica had) and 0 for one server.
 */
export function waitReplicas(redisUrl: string, given: number | undefined): number {
  return given ?? (/^rediss?\+(sentinel|cluster):/.test(redisUrl) ? 1 : 0);
}

export const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => /^https?:\/\/[^/]/.test(v), "must be an http(s) URL");

/** Optional secret: an empty string means unset (compose files often pass `KEY=`). */
export const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

/** Comma-separated list; empty entries dropped. */
export const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

export const flag = (fallback: boolean) => z.stringbool().default(fallback);

export const logLevel = z
  .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
  .default("info");
