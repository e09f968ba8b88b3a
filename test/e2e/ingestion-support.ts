import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  makeTempDir,
  type ServiceProcess,
  startQdrantLocalProcess,
  startService,
} from "../src/harness/index.js";

/**
 * Helpers of the ingestion reliability tests (`ingestion-*.test.ts`): a producer and embed workers as real child
 * processes sharing one queue prefix, the job API over HTTP, and the Qdrant REST API to count what landed.
 */

export interface IngestionStackOptions {
  qdrantUrl: string;
  /** Default: REDIS_URL or the local Redis. */
  redisUrl?: string;
  /** The producer's data directory (files are submitted by absolute path under it). */
  dataDir: string;
  workers: number;
  /** Extra environment of every worker. */
  workerEnv?: Record<string, string>;
  producerEnv?: Record<string, string>;
}

export interface IngestionStack {
  producer: ServiceProcess;
  workers: ServiceProcess[];
  /** Starts one more worker on the same queues (ready when it resolves). */
  addWorker(label: string): Promise<ServiceProcess>;
}

/** Worker settings that make crash recovery quick enough for a test: a dead worker's batch is retaken within ~5 s. */
export const FAST_RECOVERY = { LOCK_DURATION_MS: "4000", STALLED_INTERVAL_MS: "1000" };

export async function startIngestionStack(options: IngestionStackOptions): Promise<IngestionStack> {
  const shared = {
    REDIS_URL: options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QDRANT_URL: options.qdrantUrl,
    QUEUE_PREFIX: `e2e-ing-${randomUUID().slice(0, 8)}`,
    DENSE_MODEL: "offline/use-lite",
    SPARSE_MODEL: "Qdrant/bm25",
  };
  const addWorker = (label: string) =>
    startService(
      "embed-worker",
      { ...shared, ...FAST_RECOVERY, LOG_LEVEL: "debug", ...options.workerEnv },
      { label, waitReady: true },
    );
  const [producer, ...workers] = await Promise.all([
    startService(
      "ingest-producer",
      { ...shared, DATA_DIRS: options.dataDir, BATCH_BACKOFF_MS: "500", ...options.producerEnv },
      { label: "producer", waitReady: true },
    ),
    ...Array.from({ length: options.workers }, (_, i) => addWorker(`worker-${i + 1}`)),
  ]);
  if (!producer) throw new Error("producer did not start");
  return { producer, workers, addWorker };
}

/** A stack on a local mode of its own, and where its store and its data directory are. */
export interface LocalIngestionStack extends IngestionStack {
  qdrantUrl: string;
  dataDir: string;
}

/** What most ingestion files start once for all their tests: a fresh data directory, the local mode as a process, a stack. */
export async function startLocalIngestionStack(
  dataDirPrefix: string,
  options: Omit<IngestionStackOptions, "qdrantUrl" | "dataDir">,
): Promise<LocalIngestionStack> {
  const dataDir = makeTempDir(dataDirPrefix);
  const qdrantUrl = (await startQdrantLocalProcess()).url;
  const stack = await startIngestionStack({ ...options, qdrantUrl, dataDir });
  return { ...stack, qdrantUrl, dataDir };
}

/** The part of `GET /v1/jobs/:id` these tests read. */
export interface JobView {
  id: string;
  state: string;
  ended: boolean;
  rows: { read: number; skipped: number; upserted: number; failed: number; pending: number };
  skipped: {
    byReason: Record<string, number>;
    first: Array<{ line: number; reason: string; message: string }>;
  };
  collisions: { count: number; first: Array<{ line: number; earlierLine: number; rowId: string }> };
  batches: { queued: number; done: number; failed: number; pending: number };
  points: { upserted: number };
  error?: string;
}

export async function submitJob(producer: ServiceProcess, body: unknown): Promise<string> {
  const response = await fetch(`${producer.url}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { id?: string };
  if (response.status !== 202 || !answer.id) {
    throw new Error(`POST /v1/jobs answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer.id;
}

export async function getJob(producer: ServiceProcess, id: string): Promise<JobView> {
  const response = await fetch(`${producer.url}/v1/jobs/${id}`);
  if (!response.ok)
    throw new Error(`GET /v1/jobs/${id} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as JobView;
}

/** Polls the job until `until` holds (default: a terminal state); rejects after `timeoutMs` with the last view. */
export async function waitForJob(
  producer: ServiceProcess,
  id: string,
  until: (job: JobView) => boolean = (job) => job.ended,
  timeoutMs = 120_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let last: JobView | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await getJob(producer, id);
      if (until(last)) return last;
    } catch (error) {
      // The producer answers 5xx while its Redis restarts; keep polling.
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!last && lastError) throw lastError;
  throw new Error(
    `job ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

export async function countPoints(qdrantUrl: string, collection: string): Promise<number> {
  const answer = await qdrantPost<{ count: number }>(qdrantUrl, `/collections/${collection}/points/count`, {
    exact: true,
  });
  return answer.count;
}

/** The `id` payload field of every point in the collection (sorted), read page by page. */
export async function storedRowIds(qdrantUrl: string, collection: string): Promise<string[]> {
  const ids: string[] = [];
  let offset: unknown = null;
  do {
    const page: { points: Array<{ payload?: { id?: unknown } }>; next_page_offset?: unknown } =
      await qdrantPost(qdrantUrl, `/collections/${collection}/points/scroll`, {
        limit: 500,
        offset,
        with_payload: ["id"],
        with_vector: false,
      });
    for (const point of page.points) ids.push(String(point.payload?.id));
    offset = page.next_page_offset ?? null;
  } while (offset !== null);
  return ids.sort();
}

async function qdrantPost<T>(qdrantUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${qdrantUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { result?: T; status?: unknown };
  if (!response.ok || answer.result === undefined) {
    throw new Error(`Qdrant ${path} answered ${response.status}: ${JSON.stringify(answer.status)}`);
  }
  return answer.result;
}

const TOPICS = [
  "vitamin D",
  "aspirin",
  "gut microbiota",
  "statins",
  "insulin",
  "sleep",
  "exercise",
  "smoking",
];

/** `n` rows `{id, title, text}` with stable ids `row-<i>`; texts long enough that a batch takes a while to embed. */
export function makeRows(n: number, words = 60): Array<{ id: string; title: string; text: string }> {
  return Array.from({ length: n }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length] ?? "health";
    const sentence = `Study ${i} examines ${topic} and its association with outcomes in cohort ${i % 17}.`;
    const text = Array.from({ length: Math.ceil(words / 12) }, () => sentence).join(" ");
    return { id: `row-${i}`, title: `Study ${i} on ${topic}`, text };
  });
}

/** Writes JSON Lines (objects are serialised, strings written as they are) and returns the absolute path. */
export function writeJsonLines(dir: string, name: string, lines: Array<unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return path;
}

/** The job that ingests a JSON Lines file of `{id, title, text}` rows (as from `makeRows`), 16 a batch. */
export function rowsFileJob(collection: string, path: string) {
  return { collection, source: { type: "file", path }, text: "{title}. {text}", id: "id", batchSize: 16 };
}

export function collectionName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Output lines of `service` whose JSON has `msg` equal to `message`, parsed. */
export function logLines(service: ServiceProcess, message: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const line of service.logs().split("\n")) {
    const json = line.slice(line.indexOf("{"));
    if (!json.includes(`"msg":"${message}"`)) continue;
    try {
      found.push(JSON.parse(json) as Record<string, unknown>);
    } catch {
      // not a JSON log line
    }
  }
  return found;
}

/**
 * Writes `rows` generated rows of about `words` words to a JSON Lines file in `dataDir` and submits it in batches
 * of 16 into a fresh collection; returns the job id, the collection and the sorted row ids to expect.
 */
export async function submitRows(
  stack: IngestionStack,
  dataDir: string,
  name: string,
  { rows: n, words }: { rows: number; words: number },
) {
  const rows = makeRows(n, words);
  const path = writeJsonLines(dataDir, `${name}.jsonl`, rows);
  const collection = collectionName(name);
  const id = await submitJob(stack.producer, rowsFileJob(collection, path));
  return { id, collection, rowIds: rows.map((r) => r.id).sort() };
}
