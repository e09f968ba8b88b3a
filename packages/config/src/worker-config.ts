import { z } from "zod";
import { port, positiveInt } from "./env-fields.js";
import { modelsOf } from "./producer-config.js";
import { ModelEnv, SharedEnv } from "./shared-config.js";

/** Environment of services/embed-worker. */
export const WorkerEnv = SharedEnv.extend(ModelEnv.shape)
  .extend({
    /** Batches one worker process embeds at the same time. */
    WORKER_CONCURRENCY: positiveInt(1, 64),
    /** BullMQ lock duration (ms): how long a batch may run between lock renewals before it counts as stalled. */
    LOCK_DURATION_MS: positiveInt(120_000, 3_600_000),
    /** Attempts per batch before it is kept as failed. */
    BATCH_ATTEMPTS: positiveInt(5, 100),
    /** Port of the worker's /healthz and /readyz (0 = any free port). */
    HEALTH_PORT: port(8002),
    /** Interface to bind the health server. */
    HOST: z.string().default("0.0.0.0"),
  })
  .transform((e) => ({
    redis: { url: e.REDIS_URL, prefix: e.QUEUE_PREFIX },
    qdrant: { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY, timeoutMs: e.QDRANT_TIMEOUT_MS },
    models: modelsOf(e),
    worker: { concurrency: e.WORKER_CONCURRENCY, lockDurationMs: e.LOCK_DURATION_MS, attempts: e.BATCH_ATTEMPTS },
    http: { port: e.HEALTH_PORT, host: e.HOST },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
  }));
export type WorkerConfig = z.output<typeof WorkerEnv>;
