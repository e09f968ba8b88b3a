import { loadConfigOrExit, QueryEnv } from "@hybrid/config";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import { installGracefulShutdown, serveHttp } from "@hybrid/service-kit";
import { createQdrantConnection } from "@hybrid/store";
import { createQueryApp } from "./create-app.js";
import { createEncoderSlot } from "./encoder-slot.js";

const config = loadConfigOrExit(QueryEnv, process.env);
const logger = createLogger({ name: "query-api", level: config.log.level, pretty: config.log.pretty });
const qdrant = createQdrantConnection(config.qdrant);
const encoder = createEncoderSlot<HybridEncoder>();

// Each encoder keeps the query cache (EMBED_CACHE_SIZE entries); the app counts its hits.
const loadEncoder = (models: { dense: string; sparse: string }) =>
  createEncoder({ ...config.models, ...models, queryCacheSize: config.search.embedCacheSize });

const { app, encoders } = createQueryApp({
  logger,
  qdrant,
  encoder,
  loadEncoder,
  options: {
    defaultCollection: config.search.defaultCollection,
    maxLimit: config.search.maxLimit,
    embedCacheSize: config.search.embedCacheSize,
    maxModels: config.search.maxModels,
    apiKeys: config.http.apiKeys,
    rateLimitPerMinute: config.rateLimitPerMinute,
    corsOrigins: config.http.corsOrigins,
    producerUrl: config.producerUrl,
  },
});

// Listen first so /healthz answers and /readyz reports "loading" while the models load.
const server = await serveHttp(app, config.http);
logger.info({ port: server.port, qdrant: config.qdrant.url, models: config.models }, "query API listening");

let loaded: HybridEncoder | undefined;
installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    { name: "http", run: () => server.close() },
    { name: "qdrant", run: () => qdrant.close() },
    { name: "models", run: async () => void (await Promise.all([loaded?.close(), encoders.close()])) },
  ],
});

try {
  const started = performance.now();
  loaded = await loadEncoder(config.models);
  encoder.set(loaded);
  logger.info({ ms: Math.round(performance.now() - started) }, "models loaded");
} catch (error) {
  encoder.fail(error);
  logger.error({ err: error }, "models failed to load: searches answer 503 until restarted");
}
