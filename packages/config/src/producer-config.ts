import { z } from "zod";
import { csv, keyPrefix, optionalSecret, port, positiveInt, waitReplicas } from "./env-fields.js";
import { checkInferenceModels, ModelEnv, qdrantOf, SharedEnv } from "./shared-config.js";

/** Environment of services/ingest-producer. */
export const ProducerEnv = SharedEnv.extend(ModelEnv.shape)
  .extend({
    /** HTTP port of the job API. */
    PORT: port(8001),
    /** Interface to bind. */
    HOST: z.string().default("0.0.0.0"),
    /** Keys required on every /v1 route and the dashboard (comma-separated; Bearer or x-api-key); empty = no auth. */
    API_KEYS: csv,
    /** Directories a `file` source may read from (comma-separated); empty = the working directory only. */
    DATA_DIRS: csv,
    /** Origins a `url` source may fetch: `[http://|https://]host[:port]` entries, comma-separated (producer README). */
    URL_ALLOW_HOSTS: csv,
    /** Largest body a `url` source may stream, in bytes. */
    URL_MAX_BYTES: positiveInt(1024 ** 3, Number.MAX_SAFE_INTEGER),
    /** Largest file `POST /v1/jobs/upload` accepts, in bytes. */
    UPLOAD_MAX_BYTES: positiveInt(1024 ** 3, Number.MAX_SAFE_INTEGER),
    /** Writable directory uploads are spooled in; empty = `.uploads` under the first data directory. */
    UPLOAD_DIR: z.string().optional(),
    /** Hugging Face datasets-server base URL. */
    HF_DATASETS_URL: z.string().url().default("https://datasets-server.huggingface.co"),
    /** Hugging Face token for gated datasets. */
    HF_TOKEN: optionalSecret,
    /** Rows per batch job unless the request says otherwise. */
    BATCH_SIZE: positiveInt(64, 4096),
    /** Reading pauses while a job has more than this many batches waiting. */
    MAX_PENDING_BATCHES: positiveInt(64, 100_000),
    /** Rows larger than this (bytes of JSON) are skipped. */
    MAX_ROW_BYTES: positiveInt(1024 * 1024, 64 * 1024 * 1024),
    /** A batch is closed early once its rows (JSON plus text) reach this many bytes, bounding job payloads. */
    MAX_BATCH_BYTES: positiveInt(8 * 1024 * 1024, 512 * 1024 * 1024),
    /** Attempts per batch job before it is kept as failed (set on the job when the producer adds it). */
    BATCH_ATTEMPTS: positiveInt(5, 100),
    /** First retry delay of a batch in ms; doubles each attempt. */
    BATCH_BACKOFF_MS: positiveInt(2000, 3_600_000),
    /** Largest `POST /v1/jobs` body in bytes (inline rows travel in it). */
    MAX_BODY_BYTES: positiveInt(16 * 1024 * 1024, 1024 ** 3),
    /** Ingest jobs (reads and finalizations) the producer runs at the same time. */
    INGEST_CONCURRENCY: positiveInt(4, 64),
    /** Lock of a running read job (ms); after a producer crash another producer resumes it within about this long. */
    INGEST_LOCK_MS: positiveInt(30_000, 3_600_000),
    /** A `url` or `hf` source that sends nothing for this long (ms) fails its read, freeing the read slot. */
    SOURCE_IDLE_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
    /**
     * Redis replicas a new ingestion must be on (`WAIT`) before `POST /v1/jobs` answers 202; fewer within
     * REDIS_WAIT_TIMEOUT_MS answers 503. Default: 1 on redis+sentinel:// and redis+cluster://, 0 on redis://.
     */
    REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(100).optional(),
    /** How long (ms) `POST /v1/jobs` waits for those replicas. */
    REDIS_WAIT_TIMEOUT_MS: positiveInt(5000, 600_000),
  })
  .superRefine(checkInferenceModels)
  .transform((e, ctx) => ({
    http: { port: e.PORT, host: e.HOST, apiKeys: e.API_KEYS, maxBodyBytes: e.MAX_BODY_BYTES },
    redis: {
      url: e.REDIS_URL,
      prefix: keyPrefix(e.REDIS_URL, e.QUEUE_PREFIX),
      replication: {
        replicas: waitReplicas(e.REDIS_URL, e.REDIS_WAIT_REPLICAS),
        timeoutMs: e.REDIS_WAIT_TIMEOUT_MS,
      },
    },
    qdrant: qdrantOf(e, ctx),
    models: modelsOf(e),
    sources: {
      dataDirs: e.DATA_DIRS,
      urlAllowHosts: e.URL_ALLOW_HOSTS,
      urlMaxBytes: e.URL_MAX_BYTES,
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
      uploadDir: e.UPLOAD_DIR || undefined,
      hfDatasetsUrl: e.HF_DATASETS_URL,
      hfToken: e.HF_TOKEN,
    },
    ingest: {
      batchSize: e.BATCH_SIZE,
      maxPendingBatches: e.MAX_PENDING_BATCHES,
      maxRowBytes: e.MAX_ROW_BYTES,
      maxBatchBytes: e.MAX_BATCH_BYTES,
      batchAttempts: e.BATCH_ATTEMPTS,
      batchBackoffMs: e.BATCH_BACKOFF_MS,
      concurrency: e.INGEST_CONCURRENCY,
      lockDurationMs: e.INGEST_LOCK_MS,
      sourceIdleTimeoutMs: e.SOURCE_IDLE_TIMEOUT_MS,
    },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
  }));
export type ProducerConfig = z.output<typeof ProducerEnv>;

export function modelsOf(e: ModelEnv) {
  return {
    dense: e.DENSE_MODEL,
    sparse: e.SPARSE_MODEL,
    inference: e.INFERENCE,
    cacheDir: e.MODEL_CACHE_DIR,
    onnxThreads: e.ONNX_THREADS,
    sources: {
      localPath: e.MODEL_FROM,
      python: e.MODEL_PYTHON === "none" ? (false as const) : e.MODEL_PYTHON,
      pipPackages: e.MODEL_PIP_PACKAGES,
    },
  };
}
