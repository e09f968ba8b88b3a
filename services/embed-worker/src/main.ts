import { loadConfigOrExit, WorkerEnv } from "@hybrid/config";
import type { HybridEncoder } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import {
  closeQueueConnection,
  createRedis,
  queueConnection,
  recordBatchDone,
  recordBatchFailed,
} from "@hybrid/queue";
import { createHttpApp, installGracefulShutdown, mountHealthRoutes, serveHttp } from "@hybrid/service-kit";
import { createQdrantConnection } from "@hybrid/store";
import type { Worker } from "bullmq";
import { createEmbedWorker } from "./embed-worker.js";
import { createEncoderWatch } from "./encoder-watch.js";
import { watchEventLoop } from "./event-loop-stats.js";
import type { WorkerModels } from "./process-batch.js";
import { readinessChecks } from "./readiness.js";

const config = loadConfigOrExit(WorkerEnv, process.env);
const logger = createLogger({ name: "embed-worker", level: config.log.level, pretty: config.log.pretty });
const redis = createRedis(config.redis.url);
const connection = queueConnection(config.redis.url);
redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
const qdrant = createQdrantConnection(config.qdrant);
const eventLoop = watchEventLoop();
let encoder: HybridEncoder | undefined;
let worker: Worker | undefined;

const app = createHttpApp({ logger });
// INFERENCE=server loads no model: the store embeds documents, so the worker is ready as soon as it runs.
const serverInference = config.models.inference === "server";
let workerStarted = false;
mountHealthRoutes(
  app,
  readinessChecks({
    redis,
    qdrant,
    modelsLoaded: () => encoder !== undefined || (serverInference && workerStarted),
  }),
);
const server = await serveHttp(app, config.http);
logger.info({ port: server.port }, "health server listening");

const { lockDurationMs } = config.worker;
installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    // Stops taking batches and waits for the running ones to finish (their upsert and progress included).
    { name: "worker", run: async () => worker?.close() },
    {
      name: "stats",
      run: async () =>
        logger.info({ eventLoop: eventLoop.stats(), lockDurationMs }, "event loop delay while running"),
    },
    { name: "http", run: () => server.close() },
    { name: "encoder", run: async () => encoder?.close() },
    { name: "qdrant", run: () => qdrant.close() },
    { name: "redis", run: () => Promise.all([redis.quit(), closeQueueConnection(connection)]) },
  ],
});

/** Stops taking batches and exits 1 so the supervisor restarts the process (used when starting fails or the encoder breaks). */
async function exitWithError(): Promise<never> {
  setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
  await worker?.close();
  await server.close();
  redis.disconnect();
  process.exit(1);
}

try {
  const started = performance.now();
  let models: WorkerModels;
  if (serverInference) {
    // Not even imported: the encoders package loads ONNX Runtime's native module. The store checks dimensions.
    models = { dense: config.models.dense, sparse: config.models.sparse };
  } else {
    const { createEncoder } = await import("@hybrid/embeddings");
    encoder = await createEncoder(config.models);
    models = { dense: encoder.dense.model, denseDim: encoder.dense.dim, sparse: encoder.sparse.model };
  }
  logger.info(
    { models, inference: config.models.inference, ms: Math.round(performance.now() - started) },
    serverInference ? "no models loaded: the store embeds documents (INFERENCE=server)" : "models loaded",
  );
  const { prefix } = config.redis;
  const { storeAttempts, storeBackoffMs, storeBackoffMaxMs } = config.worker;
  worker = createEmbedWorker({
    connection,
    prefix,
    concurrency: config.worker.concurrency,
    lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    logger,
    deps: {
      ...(encoder ? { encoder } : {}),
      models,
      qdrant,
      storeRetry: { attempts: storeAttempts, baseMs: storeBackoffMs, maxMs: storeBackoffMaxMs },
      writeOrdering: config.qdrant.writeOrdering,
      recordDone: (batch, points, rows) => recordBatchDone(redis, prefix, batch, points, rows),
      recordFailed: (batch, reason) => recordBatchFailed(redis, prefix, batch, reason),
      ...(encoder
        ? { onEncoderFailure: createEncoderWatch({ encoder, logger, onBroken: () => void exitWithError() }) }
        : {}),
      logger,
    },
  });
  workerStarted = true;
  worker.run().catch((error: unknown) => logger.error({ err: error }, "worker stopped with an error"));
  logger.info({ queue: worker.name, prefix, concurrency: config.worker.concurrency }, "worker ready");
} catch (error) {
  logger.fatal({ err: error }, "could not start the worker");
  await exitWithError();
}
