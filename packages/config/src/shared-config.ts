import { z } from "zod";
import { flag, httpUrl, logLevel, optionalSecret, positiveInt, redisUrl } from "./env-fields.js";

/** Variables every service reads: where Redis and Qdrant are, how to log. */
export const SharedEnv = z.object({
  /** Redis holding the BullMQ queues. */
  REDIS_URL: redisUrl,
  /** Qdrant (or the local mode) REST endpoint. */
  QDRANT_URL: httpUrl("http://127.0.0.1:6333"),
  /** Qdrant API key, sent as the `api-key` header. */
  QDRANT_API_KEY: optionalSecret,
  /** Qdrant request timeout in milliseconds. */
  QDRANT_TIMEOUT_MS: positiveInt(30_000, 600_000),
  /** pino level. */
  LOG_LEVEL: logLevel,
  /** Force pretty logs (default: pretty when stdout is a terminal and NODE_ENV is not production). */
  LOG_PRETTY: flag(false).optional(),
  /** Queue-name prefix, so several deployments (or tests) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .default("hybrid"),
  /** Seconds allowed for a graceful shutdown before the process exits anyway. */
  SHUTDOWN_TIMEOUT_S: positiveInt(25, 3600),
});
export type SharedEnv = z.output<typeof SharedEnv>;

/** Embedding model settings: the producer, the workers and the query API must agree on them. */
export const ModelEnv = z.object({
  /** Dense model: a catalogue name (e.g. sentence-transformers/all-MiniLM-L6-v2), `offline/use-lite`, or a path to an ONNX dir. */
  DENSE_MODEL: z.string().min(1).default("offline/use-lite"),
  /** Sparse model: `Qdrant/bm25` or `prithivida/Splade_PP_en_v1`. */
  SPARSE_MODEL: z.enum(["Qdrant/bm25", "prithivida/Splade_PP_en_v1"]).default("Qdrant/bm25"),
  /** Where downloaded and generated models are cached. */
  MODEL_CACHE_DIR: z.string().min(1).default(".cache/models"),
  /** ONNX Runtime intra-op threads per process (0 = its default). */
  ONNX_THREADS: z.coerce.number().int().min(0).max(256).default(1),
});
export type ModelEnv = z.output<typeof ModelEnv>;
