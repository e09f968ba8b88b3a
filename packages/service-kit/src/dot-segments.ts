import type { MiddlewareHandler } from "hono";
import { AppError } from "./app-error.js";

/**
 * The `.` or `..` segment of a raw request path (also percent-encoded), if any. URL parsing would resolve it away and
 * route `/collections/../points/count` to `/points/count`; no name is `.` or `..`, so the services and the local mode
 * refuse it.
 */
export function dotSegment(rawUrl: string): string | undefined {
  const path = rawUrl.split(/[?#]/, 1)[0] ?? "";
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue;
    }
    if (decoded === "." || decoded === "..") return decoded;
  }
  return undefined;
}

/**
 * Refuses a `.` or `..` path segment with 400. URL parsing resolves them before routing, so
 * `GET /v1/collections/..` would otherwise reach `GET /v1/` and answer a puzzling 404; no name (collection, job)
 * is `.` or `..`. Only the raw request line shows them: this looks at Node's `incoming.url` when there is one.
 */
export function refuseDotSegments(): MiddlewareHandler {
  return async (c, next) => {
    const incoming: unknown = (c.env as { incoming?: unknown } | undefined)?.incoming;
    const rawUrl =
      typeof incoming === "object" && incoming !== null && "url" in incoming ? incoming.url : undefined;
    const dot = typeof rawUrl === "string" ? dotSegment(rawUrl) : undefined;
    if (dot !== undefined) {
      throw new AppError(
        "BAD_REQUEST",
        `path: a path segment cannot be "${dot}" (names such as collection names are never "." or "..")`,
        { details: { field: "path" } },
      );
    }
    await next();
  };
}
