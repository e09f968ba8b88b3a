import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { startIngestionStack, submitJob, waitForJob, writeJsonLines } from "../e2e/ingestion-support.js";
import { makeTempDir, startQdrantLocalProcess, startService } from "../src/harness/index.js";

/**
 * One run per inference mode (`pnpm -F @hybrid/e2e bench:inference`): the local mode serving MiniLM, a producer and one
 * worker with INFERENCE=mode ingest the first 1000 SciFact passages (batches of 64), then the query API answers 50
 * SciFact queries one at a time (no query cache). MiniLM's files must be in BENCH_MODEL_CACHE (default .cache/models).
 */
const SHARED = new URL("../../../shared/", import.meta.url).pathname;
const CACHE = process.env.BENCH_MODEL_CACHE ?? new URL("../../.cache/models", import.meta.url).pathname;

it("measures ingestion and query latency per inference mode", async () => {
  const dir = makeTempDir("bench-modes-");
  const rows = gunzipSync(readFileSync(`${SHARED}datasets/scifact/corpus.jsonl.gz`))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, 1000)
    .map((l) => JSON.parse(l));
  const queries = readFileSync(`${SHARED}datasets/scifact/queries.jsonl`, "utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, 50)
    .map((l) => JSON.parse(l).text as string);
  const path = writeJsonLines(dir, "scifact.jsonl", rows);
  const models = { MODEL_CACHE_DIR: CACHE, MODEL_PYTHON: "none" };
  const out: unknown[] = [];
  for (const mode of ["client", "mixed", "server"]) {
    const qdrant = await startQdrantLocalProcess({
      args: ["--dense-model", "sentence-transformers/all-MiniLM-L6-v2", "--model-cache", CACHE],
    });
    const env = { INFERENCE: mode, ...models, DENSE_MODEL: "sentence-transformers/all-MiniLM-L6-v2" };
    const stack = await startIngestionStack({
      qdrantUrl: qdrant.url,
      dataDir: dir,
      workers: 1,
      workerEnv: env,
      producerEnv: env,
    });
    const started = performance.now();
    const job = await waitForJob(
      stack.producer,
      await submitJob(stack.producer, {
        collection: "bench",
        source: { type: "file", path },
        text: "{title}. {text}",
        id: "_id",
        batchSize: 64,
      }),
      undefined,
      600_000,
    );
    const ingestS = (performance.now() - started) / 1000;
    expect(job.state).toBe("completed");
    const api = await startService(
      "query-api",
      { QDRANT_URL: qdrant.url, ...models, DEFAULT_COLLECTION: "bench", EMBED_CACHE_SIZE: "0" },
      { waitReady: true },
    );
    const ms: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      const r = await fetch(`${api.url}/v1/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: q, limit: 10 }),
      });
      expect(r.status).toBe(200);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    out.push({
      mode,
      docs: 1000,
      ingestS: Math.round(ingestS * 10) / 10,
      docsPerS: Math.round(1000 / ingestS),
      queryP50: Math.round(ms[25] as number),
      queryP90: Math.round(ms[45] as number),
    });
    for (const p of [api, ...stack.workers, stack.producer]) await p.stop();
    await qdrant.stop();
  }
  console.log(`BENCH ${JSON.stringify(out)}`);
}, 1_200_000);
