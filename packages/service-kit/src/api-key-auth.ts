import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "./app-error.js";

/** How a client may present its key; both services accept both forms. */
export const API_KEY_HEADERS = "Authorization: Bearer <key> or x-api-key: <key>";

export interface ApiKeyOptions {
  keys: readonly string[];
  /** Also accept HTTP Basic with the key as password and ask browsers for it (for dashboards). */
  basicRealm?: string;
}

/**
 * Whether `presented` equals one of `keys`, compared in constant time: both sides are hashed to equal length first
 * and every key is compared, so neither a key's length nor which key matched shows in the timing.
 */
export function keyMatches(presented: string, keys: readonly string[]): boolean {
  const digest = sha256(presented);
  let match = false;
  for (const key of keys) if (timingSafeEqual(digest, sha256(key))) match = true;
  return match;
}

/** The key a request carries: `Authorization: Bearer`, else `x-api-key`, else (when allowed) the Basic password. */
export function presentedApiKey(c: Context, allowBasic = false): string | undefined {
  const header = c.req.header("authorization") ?? "";
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === "bearer" && value) return value;
  const direct = c.req.header("x-api-key");
  if (direct) return direct;
  if (allowBasic && scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1);
  }
  return undefined;
}

/** Requires one of `keys` (see API_KEY_HEADERS) when keys are configured; none configured: open. 401 otherwise. */
export function requireApiKey({ keys, basicRealm }: ApiKeyOptions): MiddlewareHandler {
  return async (c, next) => {
    if (keys.length === 0) return next();
    const presented = presentedApiKey(c, basicRealm !== undefined);
    if (presented !== undefined && keyMatches(presented, keys)) return next();
    if (basicRealm) c.header("www-authenticate", `Basic realm="${basicRealm}"`);
    throw new AppError(
      "UNAUTHORIZED",
      presented === undefined ? `an API key is required (${API_KEY_HEADERS})` : "invalid API key",
    );
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
