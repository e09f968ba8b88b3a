import { IncomingMessage } from "node:http";
import { type AppEnv, AppError } from "@hybrid/service-kit";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Reads a request body of at most `maxBytes` into Hono's body cache straight from Node's `IncomingMessage`, so that
 * `c.req.json()` (the route validators) never builds the WHATWG `Request`, its `AbortController` and the
 * `ReadableStream` around the socket. A CPU profile of the search route at concurrency 1 put those at about 0.1 ms
 * of the service's ~0.8 ms of CPU per search (see the README's bench notes). Bodies over the limit answer 413
 * PAYLOAD_TOO_LARGE, from `content-length` before reading or while reading. Without a Node request (`app.request()`
 * in tests) Hono's own `bodyLimit` does the same job.
 */
export function readBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request body larger than ${maxBytes} bytes`);
  const fallback = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
    if (!(incoming instanceof IncomingMessage)) return fallback(c, next);
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (Number(incoming.headers["content-length"] ?? 0) > maxBytes) throw tooLarge();
    // Read before the handler: a body cut off for its size must answer 413, not the validator's 400.
    const text = await readText(incoming, maxBytes, tooLarge);
    // Hono keeps the promise of each body reading in `bodyCache` (its type declares the values, not the promises).
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
    await next();
  };
}

async function readText(
  incoming: IncomingMessage,
  maxBytes: number,
  tooLarge: () => AppError,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      incoming.resume();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
}
