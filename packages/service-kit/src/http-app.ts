import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { isAppError } from "./app-error.js";
import { refuseDotSegments } from "./dot-segments.js";
import { STATUS_BY_CODE } from "./http-status.js";
import { networkCodeOf } from "./network-error.js";

export interface AppEnv {
  Variables: { requestId: string; log: Logger };
}

export interface HttpAppOptions {
  logger: Logger;
}

/**
 * Replies Redis gives while it fails over or loads (NOREPLICAS: a master refusing writes while no replica is in sync,
 * `min-replicas-to-write`), and ioredis' errors for a connection or a cluster redirection it has given up on.
 */
const UNAVAILABLE_REPLIES =
  /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b|^Connection is closed|^Stream isn't writeable|^Too many Cluster redirections/;

/** A backing service (Redis, Qdrant) unreachable or failing over: worth a 503 and a retry, not a 500. */
export function isBackendUnavailable(error: unknown): boolean {
  if (networkCodeOf(error) !== undefined) return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (UNAVAILABLE_REPLIES.test(e.message)) return true;
    if (e.name === "MaxRetriesPerRequestError" || e.name === "ClusterAllFailedError") return true;
  }
  return false;
}

/**
 * A Hono app with what every service needs at its edge: a request id (taken from `x-request-id` or made),
 * a child logger per request, one access-log line, and one error handler answering `{error: {code, message, requestId}}`.
 */
export function createHttpApp({ logger }: HttpAppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    // Set before the handler runs: setting it afterwards makes Hono copy the finished response.
    c.header("x-request-id", requestId);
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    if (!c.req.path.endsWith("z"))
      log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, "request");
  });
  app.use(refuseDotSegments());

  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    if (isAppError(error)) {
      const status = STATUS_BY_CODE[error.code];
      if (status >= 500) c.get("log")?.error({ err: error }, error.message);
      const body = { error: { code: error.code, message: error.message, requestId, details: error.details } };
      return c.json(body, status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 401 ? "UNAUTHORIZED" : status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
      return c.json({ error: { code, message: error.message || "bad request", requestId } }, status);
    }
    if (isBackendUnavailable(error)) {
      c.get("log")?.warn({ err: error }, "a backing service is unavailable");
      const message = "a backing service (Redis or Qdrant) is unavailable right now; retry shortly";
      return c.json({ error: { code: "UNAVAILABLE", message, requestId } }, 503);
    }
    c.get("log")?.error({ err: error }, "unhandled error");
    return c.json({ error: { code: "INTERNAL", message: "internal error", requestId } }, 500);
  });

  app.notFound((c) =>
    c.json(
      {
        error: {
          code: "NOT_FOUND",
          message: `no route ${c.req.method} ${c.req.path}`,
          requestId: c.get("requestId"),
        },
      },
      404,
    ),
  );

  return app;
}
