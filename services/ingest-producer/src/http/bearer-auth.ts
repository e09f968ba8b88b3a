import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@hybrid/service-kit";
import type { MiddlewareHandler } from "hono";

/**
 * Whether `presented` equals one of `keys`, compared in constant time: both sides are hashed to equal length
 * first and every key is compared, so neither a key's length nor which key matched shows in the timing.
 */
export function keyMatches(presented: string, keys: readonly string[]): boolean {
  const digest = createHash("sha256").update(presented).digest();
  let match = false;
  for (const key of keys) {
    if (timingSafeEqual(digest, createHash("sha256").update(key).digest())) match = true;
  }
  return match;
}

export interface AuthOptions {
  keys: readonly string[];
  /** Also accept HTTP Basic with the key as password and ask browsers for it (for the dashboard). */
  basicRealm?: string;
}

/** Requires `Authorization: Bearer <key>` when keys are configured (none configured: open). 401 otherwise. */
export function requireApiKey({ keys, basicRealm }: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (keys.length === 0) return next();
    const header = c.req.header("authorization") ?? "";
    const [scheme, value = ""] = header.split(/\s+/, 2);
    let presented: string | undefined;
    if (scheme?.toLowerCase() === "bearer") presented = value;
    else if (basicRealm && scheme?.toLowerCase() === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      presented = decoded.slice(decoded.indexOf(":") + 1);
    }
    if (presented !== undefined && keyMatches(presented, keys)) return next();
    if (basicRealm) c.header("www-authenticate", `Basic realm="${basicRealm}"`);
    throw new AppError(
      "UNAUTHORIZED",
      presented === undefined ? "missing Authorization: Bearer <api key>" : "invalid API key",
    );
  };
}
