import { z } from "zod";
import { CollectionName } from "./collection-name.js";
import { csv, port, positiveInt } from "./env-fields.js";
import { modelsOf } from "./producer-config.js";
import { checkInferenceModels, ModelEnv, qdrantOf, SharedEnv } from "./shared-config.js";

/** Environment of services/query-api. */
export const QueryEnv = SharedEnv.extend(ModelEnv.shape)
  .extend({
    /** HTTP port of the search API. */
    PORT: port(8000),
    /** Interface to bind. */
    HOST: z.string().default("0.0.0.0"),
    /** Collection searched when a request names none. */
    DEFAULT_COLLECTION: CollectionName.default("startups"),
    /** Keys required on /api and /v1 (comma-separated; Bearer or x-api-key); empty = open. */
    API_KEYS: csv,
    /** Requests per minute per client (0 = no limit). */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(0),
    /** Allowed CORS origins (comma-separated, `*` = any); empty = no CORS headers. */
    CORS_ORIGINS: csv,
    /** Query embeddings kept in the LRU cache (0 = no cache). */
    EMBED_CACHE_SIZE: z.coerce.number().int().min(0).default(1024),
    /** Largest `limit` a search may ask for. */
    MAX_LIMIT: positiveInt(100, 10_000),
    /**
     * Model pairs besides the configured one kept loaded for collections built with other models (each dense model is
     * an ONNX Runtime process); the least recently used is closed beyond it.
     */
    QUERY_MAX_MODELS: positiveInt(3, 64),
    /**
     * The ingest producer's base URL: the ingestion page's calls go through this service to it (`/ingest/v1/jobs...`);
     * empty = no ingestion page.
     */
    PRODUCER_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  })
  .superRefine(checkInferenceModels)
  .transform((e, ctx) => ({
    http: { port: e.PORT, host: e.HOST, apiKeys: e.API_KEYS, corsOrigins: e.CORS_ORIGINS },
    qdrant: qdrantOf(e, ctx),
    models: modelsOf(e),
    search: {
      defaultCollection: e.DEFAULT_COLLECTION,
      maxLimit: e.MAX_LIMIT,
      embedCacheSize: e.EMBED_CACHE_SIZE,
      maxModels: e.QUERY_MAX_MODELS,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    producerUrl: e.PRODUCER_URL,
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
  }));
export type QueryConfig = z.output<typeof QueryEnv>;
