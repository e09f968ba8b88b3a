import { createHash } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import {
  type AppEnv,
  AppError,
  presentedApiKey,
  requireApiKey as requireSharedApiKey,
} from "@hybrid/service-kit";
import type { Context, MiddlewareHandler } from "hono";

/** The shared check (`Authorization: Bearer <key>` or `x-api-key: <key>`, as on the producer); 401 otherwise. */
export function requireApiKey(keys: readonly string[]): MiddlewareHandler<AppEnv> {
  return requireSharedApiKey({ keys });
}

export interface RateLimitOptions {
  /** Requests per minute per client; 0 = unlimited. */
  perMinute: number;
  now?: () => number;
}

/**
 * A token bucket per client (its API key when it sent one, else its address): `perMinute` tokens, refilled evenly.
 * An empty bucket answers 429 with `Retry-After`.
 */
export function rateLimit({ perMinute, now = Date.now }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;
  return async (c, next) => {
    if (perMinute === 0) return next();
    const client = clientId(c);
    const t = now();
    const bucket = buckets.get(client) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    if (bucket.tokens < 1) {
      const retryAfterS = Math.ceil((1 - bucket.tokens) / perMs / 1000);
      c.header("Retry-After", String(retryAfterS));
      throw new AppError("RATE_LIMITED", `rate limit of ${perMinute} requests per minute exceeded`, {
        details: { retryAfterS },
      });
    }
    bucket.tokens -= 1;
    buckets.set(client, bucket);
    if (buckets.size > 10_000) forgetFull(buckets, t, perMinute, perMs);
    return next();
  };
}

function forgetFull(
  buckets: Map<string, { tokens: number; at: number }>,
  t: number,
  perMinute: number,
  perMs: number,
): void {
  for (const [client, b] of buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(client);
}

function clientId(c: Context): string {
  const key = presentedApiKey(c);
  if (key) return `key:${digest(key).toString("hex").slice(0, 16)}`;
  try {
    return `addr:${getConnInfo(c).remote.address ?? "unknown"}`;
  } catch {
    // `app.request()` in tests has no socket.
    return "addr:unknown";
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
