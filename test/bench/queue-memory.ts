/**
 * `pnpm -F @hybrid/e2e bench:queue-memory`: what one queued batch costs in Redis, for the capacity model.
 * A fresh Redis and a producer with no workers; SciFact rows submitted in batches of 64 until the producer's
 * backpressure stops it (MAX_PENDING_BATCHES queued). Redis's `used_memory` before and after, divided by the batches
 * waiting, is the cost of one waiting batch: its BullMQ job (the rows' JSON) plus the ingestion's progress keys
 * (the point-to-line hash grows with rows, so it is reported per row too). Also samples the producer's RSS.
 * Env: BENCH_BATCHES (default 64), BENCH_BATCH (64). Prints JSON.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  freePort,
  repoRoot,
  startQdrantLocalChild,
  startRedisProcess,
  startServiceProcess,
  waitReady,
} from "@hybrid/stack";
import { Redis } from "ioredis";

const BATCHES = Number(process.env.BENCH_BATCHES ?? 64);
const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const dir = mkdtempSync(join(tmpdir(), "queue-memory-"));
const corpus = gunzipSync(
  readFileSync(join(repoRoot, "..", "shared", "datasets", "scifact", "corpus.jsonl.gz")),
)
  .toString("utf8")
  .split("\n")
  .filter((line) => line.trim())
  .slice(0, BATCHES * BATCH + BATCH);
const file = join(dir, "rows.jsonl");
writeFileSync(file, `${corpus.join("\n")}\n`);
const stops: Array<() => Promise<unknown>> = [];

try {
  const redis = await startRedisProcess({
    port: await freePort(),
    dir: join(dir, "redis"),
    appendonly: false,
  });
  stops.push(() => redis.process.stop(10_000));
  const qdrant = await startQdrantLocalChild({ port: await freePort(), name: "qdrant" });
  stops.push(() => qdrant.process.stop(10_000));
  const client = new Redis(redis.url);
  stops.push(() => client.quit());
  const producer = startServiceProcess({
    name: "ingest-producer",
    port: await freePort(),
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      QDRANT_URL: qdrant.url,
      QUEUE_PREFIX: "mem",
      DATA_DIRS: dir,
      DENSE_MODEL: "offline/use-lite",
      MAX_PENDING_BATCHES: String(BATCHES),
      LOG_LEVEL: "warn",
    },
  });
  stops.push(() => producer.process.stop(10_000));
  await waitReady(producer.url, { abortOn: producer.process.exited, name: "producer", timeoutMs: 300_000 });
  const memory = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
  const before = await memory();
  const rssBefore = rssOf(producer.process.pid);
  const response = await fetch(`${producer.url}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      collection: "mem",
      source: { type: "file", path: file },
      text: "{title}. {text}",
      id: "_id",
      batchSize: BATCH,
    }),
  });
  const { id } = (await response.json()) as { id: string };
  let queued = 0;
  for (let tries = 0; tries < 600 && queued < BATCHES; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    queued = await client.llen("mem:embed:wait");
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  queued = await client.llen("mem:embed:wait");
  const after = await memory();
  const rows = queued * BATCH;
  const pointsHash = Number(await client.memory("USAGE", `mem:ingestion:${id}:points`));
  const bytes = corpus.slice(0, rows).reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  const result = {
    batchesWaiting: queued,
    batchSize: BATCH,
    redisBytesPerBatch: Math.round((after - before) / queued),
    rowJsonBytesPerBatch: Math.round(bytes / queued),
    pointsHashBytesPerRow: Math.round(pointsHash / rows),
    producerRssMiB: {
      idle: Math.round(rssBefore / 2 ** 20),
      afterQueueing: Math.round(rssOf(producer.process.pid) / 2 ** 20),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb ?? 0) * 1024;
}
