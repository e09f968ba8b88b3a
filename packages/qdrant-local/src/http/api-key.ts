import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { QdrantEnv } from "./route-kit.js";

type AnswerError = (c: Context<QdrantEnv>, status: 401 | 403, message: string) => Response;

/** Qdrant's key check: the `api-key` header or `Authorization: Bearer`; none is 401, a wrong one 403. */
export function requireApiKey(apiKey: string, answer: AnswerError): MiddlewareHandler<QdrantEnv> {
  return async (c, next) => {
    const key = c.req.header("api-key");
    const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
    if (key === undefined && bearer === undefined)
      return answer(c, 401, "Unauthorized: Must provide an API key or an Authorization bearer token");
    if (!sameKey(key, apiKey) && !sameKey(bearer, apiKey))
      return answer(c, 403, "Forbidden: Invalid API key or JWT");
    await next();
  };
}

/** Compared over SHA-256 digests in constant time, so the timing tells nothing about the key. */
function sameKey(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
