import path from "node:path";
import { loadConfigOrExit, ProducerEnv } from "@hybrid/config";
import { describeDenseModel, sparseModifierOf } from "@hybrid/embeddings";
import { createLogger } from "@hybrid/logger";
import { closeQueueConnection, createRedis, QUEUE, queueConnection } from "@hybrid/queue";
import { installGracefulShutdown, serveHttp } from "@hybrid/service-kit";
import { createQdrantConnection, pingQdrant } from "@hybrid/store";
import { FlowProducer, Queue } from "bullmq";
import { createProducerApp } from "./http/create-app.js";
import type { IngestDeps } from "./ingest/ingest-deps.js";
import { createProducerWorker } from "./ingest/producer-worker.js";
import { createCollectionResolver } from "./ingest/resolve-collection.js";
import { parseAllowList } from "./sources/url-allow-list.js";

const config = loadConfigOrExit(ProducerEnv, process.env);
try {
  parseAllowList(config.sources.urlAllowHosts);
} catch (error) {
  process.stderr.write(`invalid configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const logger = createLogger({ name: "ingest-producer", level: config.log.level, pretty: config.log.pretty });
const connection = queueConnection(config.redis.url);
const prefix = config.redis.prefix;
const redis = createRedis(config.redis.url);
const qdrant = createQdrantConnection(config.qdrant);
const dense = await describeDenseModel(config.models.dense, config.models.cacheDir);
const sparse = config.models.sparse;

const dataDirs = (config.sources.dataDirs.length ? config.sources.dataDirs : [process.cwd()]).map((d) =>
  path.resolve(d),
);
const deps: IngestDeps = {
  redis,
  prefix,
  ingestQueue: new Queue(QUEUE.ingest, { connection, prefix }),
  embedQueue: new Queue(QUEUE.embed, { connection, prefix }),
  flows: new FlowProducer({ connection, prefix }),
  replication: config.redis.replication,
  sources: {
    ...config.sources,
    dataDirs,
    uploadDir: path.resolve(config.sources.uploadDir ?? path.join(dataDirs[0] ?? process.cwd(), ".uploads")),
    maxRowBytes: config.ingest.maxRowBytes,
  },
  resolveCollection: createCollectionResolver(qdrant, {
    dense: dense.name,
    denseDim: dense.dim,
    distance: dense.distance,
    sparse,
    sparseModifier: sparseModifierOf(sparse),
    inference: config.models.inference,
    layout: config.qdrant.layout,
  }),
  limits: config.ingest,
  logger,
};
const worker = createProducerWorker(deps, connection, {
  concurrency: config.ingest.concurrency,
  lockDurationMs: config.ingest.lockDurationMs,
});
const app = createProducerApp({
  deps,
  apiKeys: config.http.apiKeys,
  maxBodyBytes: config.http.maxBodyBytes,
  readiness: [
    { name: "redis", check: () => redis.ping() },
    { name: "qdrant", check: () => pingQdrant(qdrant) },
  ],
});
const server = await serveHttp(app, config.http);
logger.info({ port: server.port, dense: dense.name, dim: dense.dim, sparse }, "ingest producer listening");

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    { name: "http", run: () => server.close() },
    // A read job cut off here is retried by the next producer; its batches are not added twice.
    { name: "worker", run: () => worker.close() },
    {
      name: "queues",
      run: () => Promise.all([deps.ingestQueue.close(), deps.embedQueue.close(), deps.flows.close()]),
    },
    { name: "redis", run: () => Promise.all([redis.quit(), closeQueueConnection(connection)]) },
  ],
});
