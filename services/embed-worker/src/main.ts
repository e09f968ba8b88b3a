import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadConfig, WorkerEnv } from "@hybrid/config";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import { createRedis, recordBatchDone, recordBatchFailed, redisOptions } from "@hybrid/queue";
import { createHttpApp, installGracefulShutdown, mountHealthRoutes, serveHttp } from "@hybrid/service-kit";
import { createQdrantClient } from "@hybrid/store";
import type { Worker } from "bullmq";
import { createEmbedWorker } from "./embed-worker.js";
import { readinessChecks } from "./readiness.js";

const config = loadConfig(WorkerEnv, process.env);
const logger = createLogger({ name: "embed-worker", level: config.log.level, pretty: config.log.pretty });
const redis = createRedis(config.redis.url);
redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
const qdrant = createQdrantClient(config.qdrant);
let encoder: HybridEncoder | undefined;
let worker: Worker | undefined;
// Lock renewal is a timer: it only starves if the event loop blocks for a large part of LOCK_DURATION_MS.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const app = createHttpApp({ logger });
mountHealthRoutes(app, readinessChecks({ redis, qdrant, modelsLoaded: () => encoder !== undefined }));
const server = await serveHttp(app, config.http);
logger.info({ port: server.port }, "health server listening");

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    // Stops taking batches and waits for the running ones to finish (their upsert and progress included).
    { name: "worker", run: async () => worker?.close() },
    {
      name: "stats",
      run: async () => {
        const ms = (ns: number) => Math.round(ns / 1e4) / 100;
        const eventLoop = {
          maxMs: ms(loopDelay.max),
          p99Ms: ms(loopDelay.percentile(99)),
          meanMs: ms(loopDelay.mean),
        };
        logger.info(
          { eventLoop, lockDurationMs: config.worker.lockDurationMs },
          "event loop delay while running",
        );
      },
    },
    { name: "http", run: () => server.close() },
    { name: "encoder", run: async () => encoder?.close() },
    { name: "redis", run: () => redis.quit() },
  ],
});

try {
  const started = performance.now();
  encoder = await createEncoder({
    dense: config.models.dense,
    sparse: config.models.sparse,
    cacheDir: config.models.cacheDir,
    onnxThreads: config.models.onnxThreads,
  });
  const models = { dense: encoder.dense.model, denseDim: encoder.dense.dim, sparse: encoder.sparse.model };
  logger.info({ models, ms: Math.round(performance.now() - started) }, "models loaded");
  const { prefix } = config.redis;
  worker = createEmbedWorker({
    connection: redisOptions(config.redis.url),
    prefix,
    concurrency: config.worker.concurrency,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    logger,
    deps: {
      encoder,
      models,
      qdrant,
      storeRetry: {
        attempts: config.worker.attempts,
        baseMs: config.worker.backoffMs,
        maxMs: config.worker.backoffMaxMs,
      },
      recordDone: (batch, points) => recordBatchDone(redis, prefix, batch, points),
      recordFailed: (batch, reason) => recordBatchFailed(redis, prefix, batch, reason),
      logger,
    },
  });
  worker.run().catch((error: unknown) => logger.error({ err: error }, "worker stopped with an error"));
  logger.info({ queue: worker.name, prefix, concurrency: config.worker.concurrency }, "worker ready");
} catch (error) {
  logger.fatal({ err: error }, "could not start the worker");
  await server.close();
  redis.disconnect();
  process.exit(1);
}
