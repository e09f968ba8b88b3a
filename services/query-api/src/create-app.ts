import { OpenAPIHono } from "@hono/zod-openapi";
import type { HybridEncoder } from "@hybrid/embeddings";
import { type AppEnv, AppError, createHttpApp, mountHealthRoutes } from "@hybrid/service-kit";
import { pingQdrant, type QdrantConnection } from "@hybrid/store";
import type { Hono } from "hono";
import { cors } from "hono/cors";
import type { Logger } from "pino";
import { rateLimit, requireApiKey } from "./access-control.js";
import { createCollectionModels } from "./collection-models.js";
import { mountCollectionRoutes } from "./collection-routes.js";
import { mountDocsRoutes } from "./docs-routes.js";
import {
  createEncoderPool,
  type EncoderPool,
  type EncoderPoolEvent,
  type ModelPair,
} from "./encoder-pool.js";
import type { EncoderSlot } from "./encoder-slot.js";
import { httpMetrics } from "./http-metrics.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { mountPageRoutes } from "./page-routes.js";
import { mountProducerProxy } from "./producer-proxy.js";
import { createQueryEmbedder } from "./query-embedder.js";
import { readBody } from "./read-body.js";
import { mountSearchRoutes } from "./search-routes.js";
import { createSearchSchemas } from "./search-schemas.js";
import { createSearcher, type Searcher } from "./searcher.js";
import { toValidationError } from "./validation-error.js";

export interface QueryAppOptions {
  /** Collection searched when a request names none. */
  defaultCollection: string;
  /** Largest `limit` a search may ask for. */
  maxLimit: number;
  /**
   * Query embeddings each encoder keeps (its `queryCacheSize`: `main` creates every encoder with it); 0 = no cache,
   * and no cache lookups counted on `/metrics`.
   */
  embedCacheSize: number;
  /** Model pairs other than the configured one kept loaded for collections built with them (LRU beyond it). */
  maxModels: number;
  /** Bearer tokens required on /api and /v1; empty = open. */
  apiKeys: string[];
  /** Requests per minute per client on /api and /v1; 0 = unlimited. */
  rateLimitPerMinute: number;
  /** Allowed CORS origins (`*` = any); empty = no CORS headers. */
  corsOrigins: string[];
  /** The ingest producer the ingestion page reaches through `/ingest/v1/jobs...`; none = those answer 503. */
  producerUrl?: string | undefined;
}

export interface QueryAppDeps {
  logger: Logger;
  /** Every Qdrant call: searches, collections, the model check, readiness. */
  qdrant: QdrantConnection;
  /** The configured models, filled by `main` once loaded; until then searches answer 503 and /readyz says "loading". */
  encoder: EncoderSlot<HybridEncoder>;
  /**
   * Loads the models of a collection built with other models than the configured ones (`createEncoder` in `main`);
   * none = such collections answer 409.
   */
  loadEncoder?: (models: ModelPair) => Promise<HybridEncoder>;
  options: QueryAppOptions;
  metrics?: Metrics;
  /** Directory of the search page's files (default: `public/` beside the code). */
  pageDir?: string;
  version?: string;
}

/** Largest request body on /v1 (a batch of 16 searches with filters fits many times over). */
const MAX_BODY_BYTES = 1024 * 1024;

const TARGETS: Record<string, string> = { json: "body", query: "query", param: "path", header: "header" };

/** The whole HTTP surface of the query API, built once in `main` (and in tests) from its dependencies. */
export function createQueryApp(deps: QueryAppDeps): {
  app: Hono<AppEnv>;
  searcher: Searcher;
  metrics: Metrics;
  /** Encoders of the collections' other models; `main` closes it at shutdown. */
  encoders: EncoderPool;
} {
  const { options, qdrant, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const encoders = createEncoderPool({
    load: deps.loadEncoder ?? refuseLoad,
    maxModels: options.maxModels,
    onEvent: (event) => recordPoolEvent(logger, metrics, event),
  });
  const embedder = createQueryEmbedder({
    withEncoder: (models, fn) => {
      const configured = deps.encoder.get();
      if (models.dense === configured.dense.model && models.sparse === configured.sparse.model) {
        return fn(configured);
      }
      return encoders.use(models, fn);
    },
    cacheOn: options.embedCacheSize > 0,
    metrics,
  });
  const searcher = createSearcher({
    qdrant,
    embedder,
    metrics,
    defaultCollection: options.defaultCollection,
    collectionModels: createCollectionModels({ qdrant }),
    configuredModels: () => {
      const { dense, sparse } = deps.encoder.get();
      return { dense: dense.model, sparse: sparse.model };
    },
  });

  const base = createHttpApp({ logger });
  base.use(httpMetrics(metrics));
  if (options.corsOrigins.length > 0) {
    const origin = options.corsOrigins.includes("*") ? "*" : options.corsOrigins;
    base.use(cors({ origin, allowHeaders: ["content-type", "authorization", "x-api-key", "x-request-id"] }));
  }
  for (const prefix of ["/api/*", "/v1/*"]) {
    base.use(prefix, requireApiKey(options.apiKeys));
    base.use(prefix, rateLimit({ perMinute: options.rateLimitPerMinute }));
  }
  base.use("/v1/*", readBody(MAX_BODY_BYTES));

  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw toValidationError(result.error, TARGETS[result.target] ?? result.target);
    },
  });
  mountSearchRoutes(api, createSearchSchemas({ maxLimit: options.maxLimit }), searcher);
  mountCollectionRoutes(api, qdrant, options.defaultCollection);
  mountDocsRoutes(api, {
    title: "Hybrid search API",
    version: deps.version ?? "0.1.0",
    apiKeys: options.apiKeys.length > 0,
  });

  mountHealthRoutes(base, [
    { name: "models", check: () => deps.encoder.check() },
    { name: "qdrant", check: () => pingQdrant(qdrant) },
  ]);
  base.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  mountPageRoutes(base, deps.pageDir);
  mountProducerProxy(base, options.producerUrl);
  base.route("/", api);
  return { app: base, searcher, metrics, encoders };
}

async function refuseLoad(): Promise<never> {
  throw new AppError("CONFLICT", "this service only embeds with its configured models");
}

function recordPoolEvent(logger: Logger, metrics: Metrics, event: EncoderPoolEvent): void {
  if (event.type === "loaded") {
    metrics.modelLoads.inc({ outcome: "ok" });
    logger.info({ models: event.models, ms: event.ms }, "collection models loaded");
  } else if (event.type === "evicted") {
    metrics.modelEvictions.inc();
    logger.info({ models: event.models }, "collection models unloaded (least recently used)");
  } else {
    metrics.modelLoads.inc({ outcome: "error" });
    logger.warn({ models: event.models, err: event.error }, "collection models failed to load");
  }
}
