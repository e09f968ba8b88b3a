import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminal } from "@hybrid/queue";
import {
  freePort,
  type ManagedProcess,
  startQdrantLocalChild,
  startRedisProcess,
  startServiceProcess,
  waitReady,
} from "@hybrid/stack";
import { round } from "./measure-encoder.js";
import { sampleGroupRss } from "./process-rss.js";

export interface PipelineOptions {
  workers: number;
  /** Absolute path of the JSON Lines (or .gz) file to ingest; its folder becomes the producer's data dir. */
  file: string;
  docs: number;
  batchSize: number;
  /** Extra environment of every service (models, ONNX threads). */
  env: Record<string, string>;
  log?: (line: string) => void;
}

export interface PipelineMeasure {
  workers: number;
  docs: number;
  points: number;
  state: string;
  /** Submit to the job's completion, seconds. */
  seconds: number;
  docsPerSecond: number;
  /** Submit to the first point counted by the store (upserts use wait=true, so it is searchable). */
  firstPointSeconds: number;
  /** Peak RSS of each worker process group (worker + its ONNX runner), MiB. */
  peakRssMiB: number[];
  /** Largest event-loop delay each worker saw while running, ms (its lock is renewed by a timer). */
  eventLoopMaxMs: number[];
}

/** A fresh Redis (append-only), local mode, producer and `workers` embed workers; ingests `file` once. */
export async function measurePipeline(options: PipelineOptions): Promise<PipelineMeasure> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "embed-bench-"));
  const started: ManagedProcess[] = [];
  try {
    const redis = await startRedisProcess({
      port: await freePort(),
      dir,
      appendonly: true,
      name: "bench-redis",
    });
    started.push(redis.process);
    const qdrant = await startQdrantLocalChild({ port: await freePort(), name: "bench-qdrant" });
    started.push(qdrant.process);
    const env = {
      ...process.env,
      ...options.env,
      REDIS_URL: redis.url,
      QDRANT_URL: qdrant.url,
      QUEUE_PREFIX: "bench",
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
      DATA_DIRS: join(options.file, ".."),
      BATCH_SIZE: String(options.batchSize),
      WORKER_CONCURRENCY: "1",
    };
    const producer = startServiceProcess({ name: "ingest-producer", port: await freePort(), env });
    started.push(producer.process);
    const workers: Array<{ url: string; process: ManagedProcess }> = [];
    for (let i = 0; i < options.workers; i++) {
      const worker = startServiceProcess({
        name: "embed-worker",
        label: `worker-${i + 1}`,
        port: await freePort(),
        env,
      });
      started.push(worker.process);
      workers.push(worker);
    }
    await Promise.all(
      [producer, ...workers].map((s) =>
        waitReady(s.url, { abortOn: s.process.exited, name: s.process.name, timeoutMs: 300_000 }),
      ),
    );
    log(`${options.workers} worker(s) ready`);

    const rss = sampleGroupRss(workers.map((w) => w.process.pid));
    const collection = `bench-${options.workers}w-${Date.now()}`;
    const submitted = performance.now();
    const id = await submit(producer.url, {
      collection,
      source: { type: "file", path: options.file },
      text: "{title}. {text}",
      id: "_id",
      batchSize: options.batchSize,
    });
    let firstPointSeconds = Number.NaN;
    while (Number.isNaN(firstPointSeconds)) {
      if ((await countPoints(qdrant.url, collection)) > 0)
        firstPointSeconds = (performance.now() - submitted) / 1000;
      else await sleep(25);
    }
    let state = "";
    let lastLog = 0;
    for (;;) {
      const job = await getJob(producer.url, id);
      state = job.state;
      if (isTerminal(state)) break;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  ${job.points.upserted}/${options.docs} points, ${job.rate.pointsPerSecond} points/s`);
      }
      await sleep(100);
    }
    const seconds = (performance.now() - submitted) / 1000;
    const peaks = rss.stop();
    const points = await countPoints(qdrant.url, collection);

    // SIGTERM to each worker's own pid (as `docker stop` does); it logs its event-loop delay on the way out.
    for (const worker of workers) process.kill(worker.process.pid, "SIGTERM");
    await Promise.all(workers.map((w) => w.process.exited));
    return {
      workers: options.workers,
      docs: options.docs,
      points,
      state,
      seconds: round(seconds),
      docsPerSecond: round(options.docs / seconds),
      firstPointSeconds: round(firstPointSeconds),
      peakRssMiB: peaks.map((bytes) => Math.round(bytes / 2 ** 20)),
      eventLoopMaxMs: workers.map((w) => eventLoopMax(w.process)),
    };
  } finally {
    await Promise.all(started.reverse().map((p) => p.stop(10_000)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function eventLoopMax(worker: ManagedProcess): number {
  for (const line of worker.logs().split("\n").reverse()) {
    if (!line.includes('"msg":"event loop delay while running"')) continue;
    const parsed = JSON.parse(line.slice(line.indexOf("{"))) as { eventLoop?: { maxMs?: number } };
    return parsed.eventLoop?.maxMs ?? Number.NaN;
  }
  return Number.NaN;
}

async function submit(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { id?: string };
  if (response.status !== 202 || !answer.id)
    throw new Error(`submit answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer.id;
}

interface JobView {
  state: string;
  points: { upserted: number };
  rate: { pointsPerSecond: number };
}

async function getJob(url: string, id: string): Promise<JobView> {
  const response = await fetch(`${url}/v1/jobs/${id}`);
  if (!response.ok) throw new Error(`GET /v1/jobs/${id} answered ${response.status}`);
  return (await response.json()) as JobView;
}

async function countPoints(qdrantUrl: string, collection: string): Promise<number> {
  const response = await fetch(`${qdrantUrl}/collections/${collection}/points/count`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ exact: true }),
  });
  if (response.status === 404) return 0;
  const answer = (await response.json()) as { result?: { count?: number } };
  return answer.result?.count ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
