import { join } from "node:path";
import {
  freePort,
  type ManagedProcess,
  startRedisProcess,
  startServiceProcess,
  waitReady,
} from "@hybrid/stack";
import { z } from "zod";
import type { Dataset } from "./datasets.js";
import { type IngestMeasure, measureOf, round } from "./ingest-measure.js";
import { meterGroups } from "./proc-stats.js";
import { countPoints, watchFirstPoint } from "./store-client.js";

export interface OurStackOptions {
  workers: number;
  qdrantUrl: string;
  /** Folders the producer may read (the datasets' folders). */
  dataDirs: string[];
  /** Redis data folder (the stack gets a Redis of its own, so its CPU can be counted). */
  dir: string;
  /** Models, cache folder: the environment every service starts with. */
  env: Record<string, string>;
  log: (line: string) => void;
}

export interface OurStack {
  producerUrl: string;
  queryUrl: string;
  /** Process groups that do the ingestion: Redis, the producer, each worker (with its ONNX runner). */
  ingestGroups: number[];
  /** The query API's process group (with its ONNX runner). */
  queryGroup: number;
  /** Launch of the processes to all of them ready, seconds. */
  readySeconds: number;
  stop(): Promise<void>;
}

/** Redis, the producer, `workers` embed workers and the query API as child processes, as `pnpm start` runs them. */
export async function startOurStack(options: OurStackOptions): Promise<OurStack> {
  const started: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(started.reverse().map((p) => p.stop(10_000)));
  };
  try {
    const t0 = Date.now();
    const redis = await startRedisProcess({ port: await freePort(), dir: options.dir, name: "peer-redis" });
    started.push(redis.process);
    const env = {
      ...process.env,
      ...options.env,
      REDIS_URL: redis.url,
      QDRANT_URL: options.qdrantUrl,
      QUEUE_PREFIX: "peer",
      LOG_PRETTY: "false",
      DATA_DIRS: options.dataDirs.join(","),
    };
    const producer = startServiceProcess({ name: "ingest-producer", port: await freePort(), env });
    started.push(producer.process);
    const workers = [];
    for (let i = 0; i < options.workers; i++) {
      const worker = startServiceProcess({
        name: "embed-worker",
        label: `embed-worker-${i + 1}`,
        port: await freePort(),
        env,
      });
      started.push(worker.process);
      workers.push(worker);
    }
    const query = startServiceProcess({ name: "query-api", port: await freePort(), env });
    started.push(query.process);
    await Promise.all(
      [producer, ...workers, query].map((s) =>
        waitReady(s.url, { abortOn: s.process.exited, name: s.process.name, timeoutMs: 300_000 }),
      ),
    );
    const readySeconds = round((Date.now() - t0) / 1000);
    options.log(`our stack ready in ${readySeconds} s (${options.workers} workers)`);
    return {
      producerUrl: producer.url,
      queryUrl: query.url,
      ingestGroups: [redis.process.pid, producer.process.pid, ...workers.map((w) => w.process.pid)],
      queryGroup: query.process.pid,
      readySeconds,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const Submitted = z.looseObject({ id: z.string() });
const JobView = z.looseObject({ state: z.string(), points: z.looseObject({ upserted: z.number() }) });

/** One ingestion through the producer's job API, timed from the submit to the job's completion. */
export async function ingestOurs(
  stack: OurStack,
  options: { qdrantUrl: string; storeGroup: number; dataset: Dataset; collection: string },
  log: (line: string) => void,
): Promise<IngestMeasure> {
  const { dataset, collection, qdrantUrl } = options;
  // Redis is the one process the tutorial has no counterpart for (its queues are pipes inside the interpreter).
  const usage = meterGroups(stack.ingestGroups, { unmatched: ["Redis"] });
  const store = meterGroups([options.storeGroup]);
  const firstPoint = watchFirstPoint(qdrantUrl, collection);
  const requestAt = Date.now();
  const response = await fetch(`${stack.producerUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      collection,
      source: { type: "file", path: dataset.file },
      text: dataset.text,
      ...(dataset.id ? { id: dataset.id } : {}),
      payload: { exclude: dataset.drop },
    }),
  });
  if (response.status !== 202)
    throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  const { id } = Submitted.parse(await response.json());
  let lastLog = Date.now();
  for (;;) {
    const view = await fetch(`${stack.producerUrl}/v1/jobs/${id}`);
    if (!view.ok) throw new Error(`GET /v1/jobs/${id} answered ${view.status}`);
    const job = JobView.parse(await view.json());
    if (job.state === "completed") break;
    if (job.state === "failed" || job.state === "cancelled") throw new Error(`job ${id} ${job.state}`);
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`  ours: ${job.points.upserted}/${dataset.rows} points`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const doneAt = Date.now();
  const ours = usage.stop();
  const storeUsage = store.stop();
  firstPoint.stop();
  const base = {
    side: "ours" as const,
    dataset: dataset.name,
    rows: dataset.rows,
    points: await countPoints(qdrantUrl, collection),
    startSeconds: stack.readySeconds,
  };
  return measureOf(base, { requestAt, firstPointAt: await firstPoint.at, doneAt }, ours, storeUsage);
}

export const dataDirOf = (file: string) => join(file, "..");
