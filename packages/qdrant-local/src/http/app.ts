import { dotSegment } from "@hybrid/service-kit";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { QdrantError } from "../errors.js";
import { parseRequest } from "../requests/parse-request.js";
import { requireApiKey } from "./api-key.js";
import { elapsed, MAX_BODY_BYTES, type QdrantApp, type QdrantEnv, type RouteDeps } from "./route-kit.js";
import { mountCollectionRoutes } from "./routes-collections.js";
import { mountPayloadRoutes } from "./routes-payload.js";
import { mountPointRoutes } from "./routes-points.js";
import { mountQueryRoutes } from "./routes-query.js";
import { mountVectorRoutes } from "./routes-vectors.js";

/** The Qdrant version reported by `GET /`; the JS client accepts a server within one minor version of its own. */
export const QDRANT_VERSION = "1.18.0";

export interface QdrantAppOptions extends RouteDeps {
  /** When set, every request but `GET /` and the health checks needs it. */
  apiKey?: string;
  logger?: Logger;
}

function answerError(c: Context<QdrantEnv>, status: ContentfulStatusCode, message: string): Response {
  return c.json({ status: { error: message }, time: elapsed(c) }, status);
}

/** Qdrant's REST API over the engine: Qdrant's envelopes, statuses and error bodies (`{status: {error}, time}`). */
export function createQdrantApp(options: QdrantAppOptions): QdrantApp {
  const { logger } = options;
  const app = new Hono<QdrantEnv>({ strict: false });

  app.use(async (c, next) => {
    c.set("started", performance.now());
    // URL parsing would resolve `/collections/../points/count` to `/points/count`; only the raw request line shows it.
    const dot = dotSegment(c.env?.incoming?.url ?? new URL(c.req.url).pathname);
    if (dot !== undefined) {
      return answerError(
        c,
        400,
        `Validation error in path parameters: [name: a path segment cannot be "${dot}"; collection names cannot be "." or ".."]`,
      );
    }
    await next();
    const ms = Math.round((performance.now() - c.get("started")) * 10) / 10;
    logger?.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, "request");
  });
  // Qdrant answers its root with the bare version object, not the usual {result, status, time} envelope.
  app.get("/", (c) =>
    c.json({ title: "qdrant - vector search engine", version: QDRANT_VERSION, commit: null }),
  );
  for (const check of ["healthz", "livez", "readyz"])
    app.get(`/${check}`, (c) => c.text(`${check} check passed`));

  if (options.apiKey !== undefined) app.use(requireApiKey(options.apiKey, answerError));
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        answerError(c, 413, `Payload too large: the request body exceeds ${MAX_BODY_BYTES} bytes`),
    }),
  );
  // The replica-set parameters a cluster acts on: one process holds the only copy of every shard, so any valid value
  // is met already; an invalid one is refused as Qdrant refuses it.
  app.use(async (c, next) => {
    const ordering = c.req.query("ordering");
    if (ordering !== undefined) parseRequest("WriteOrdering", ordering, "ordering");
    const consistency = c.req.query("consistency");
    if (consistency !== undefined)
      parseRequest(
        "ReadConsistency",
        /^\d+$/.test(consistency) ? Number(consistency) : consistency,
        "consistency",
      );
    await next();
  });

  mountCollectionRoutes(app, options);
  mountPointRoutes(app, options);
  mountPayloadRoutes(app, options);
  mountVectorRoutes(app, options);
  mountQueryRoutes(app, options);

  app.notFound((c) => answerError(c, 404, `Not found: no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof QdrantError) return answerError(c, error.status, error.message);
    logger?.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return answerError(c, 500, "Service internal error: an unexpected error happened; see the server log");
  });
  return app;
}
