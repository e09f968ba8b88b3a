import { z } from "zod";
import { keyPrefix, port, positiveInt } from "./env-fields.js";
import { modelsOf } from "./producer-config.js";
import { checkInferenceModels, ModelEnv, qdrantOf, SharedEnv } from "./shared-config.js";

/** Environment of services/embed-worker. */
export const WorkerEnv = SharedEnv.extend(ModelEnv.shape)
  .extend({
    /** Batches one worker process embeds at the same time. */
    WORKER_CONCURRENCY: positiveInt(1, 64),
    /**
     * BullMQ lock duration (ms). The lock is renewed by a timer every half of it, so it must outlast the longest
     * event-loop block (milliseconds here), not a whole batch; it is also how long a crashed worker's batch waits
     * before another worker takes it over.
     */
    LOCK_DURATION_MS: positiveInt(30_000, 3_600_000),
    /** How often (ms) a worker looks for batches whose lock expired (their worker died) and puts them back. */
    STALLED_INTERVAL_MS: positiveInt(15_000, 3_600_000),
    /**
     * Upsert attempts within one delivery of a batch (exponential backoff between), keeping the computed vectors;
     * then BullMQ's job attempts (the producer's BATCH_ATTEMPTS) take over.
     */
    STORE_ATTEMPTS: positiveInt(5, 100),
    /** First delay (ms) between upsert attempts; doubles each time. */
    STORE_BACKOFF_MS: positiveInt(500, 600_000),
    /** Longest delay (ms) between upsert attempts. */
    STORE_BACKOFF_MAX_MS: positiveInt(10_000, 3_600_000),
    /** Port of the worker's /healthz and /readyz (0 = any free port). */
    HEALTH_PORT: port(8002),
    /** Interface to bind the health server. */
    HOST: z.string().default("0.0.0.0"),
  })
  .superRefine(checkInferenceModels)
  .transform((e, ctx) => ({
    redis: { url: e.REDIS_URL, prefix: keyPrefix(e.REDIS_URL, e.QUEUE_PREFIX) },
    qdrant: qdrantOf(e, ctx),
    models: modelsOf(e),
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      lockDurationMs: e.LOCK_DURATION_MS,
      stalledIntervalMs: e.STALLED_INTERVAL_MS,
      storeAttempts: e.STORE_ATTEMPTS,
      storeBackoffMs: e.STORE_BACKOFF_MS,
      storeBackoffMaxMs: e.STORE_BACKOFF_MAX_MS,
    },
    http: { port: e.HEALTH_PORT, host: e.HOST },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
  }));
export type WorkerConfig = z.output<typeof WorkerEnv>;
