import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as usearch from "usearch";
import { DenseStore } from "../src/dense-store.js";
import { startQdrantLocal } from "../src/index.js";
import { denseVector, mulberry32, payloadOf, sparseVector } from "./data.js";
import { benchAgainstEngine, type EngineRow, renderEngineMarkdown } from "./engine-bench.js";

// `pnpm bench`: query latency (dense, sparse, hybrid RRF; with and without a filter) at 10k and 100k points x 384 dims,
// upsert throughput in batches of 64/128/256 (in memory and with the write-ahead log), bytes per point, and the dense
// exact scan against usearch's native SIMD exact search on the same vectors, and the local mode against Qdrant's engine
// (qdrant-edge-py; BENCH_ENGINE=0 skips it). Writes bench-results/qdrant-local.{json,md}.

const DIM = 384;
const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const OUT_DIR = fileURLToPath(new URL("../bench-results/", import.meta.url));
const FILTER = { must: [{ key: "category", match: { value: "c3" } }] };

const gc = (globalThis as { gc?: () => void }).gc;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function post(url: string, method: string, body: string): Promise<void> {
  const response = await fetch(url, { method, headers: { "content-type": "application/json" }, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
}

function pointsJson(from: number, to: number, rand: () => number): string {
  const points = [];
  for (let i = from; i < to; i++) {
    points.push({
      id: i,
      vector: { dense: denseVector(rand, DIM), text: sparseVector(rand, 12) },
      payload: payloadOf(i),
    });
  }
  return JSON.stringify({ points });
}

async function createCollection(base: string, name: string): Promise<void> {
  await post(
    `${base}/collections/${name}`,
    "PUT",
    JSON.stringify({
      vectors: { dense: { size: DIM, distance: "Cosine" } },
      sparse_vectors: { text: { modifier: "idf" } },
    }),
  );
  await post(
    `${base}/collections/${name}/index?wait=true`,
    "PUT",
    JSON.stringify({ field_name: "category", field_schema: "keyword" }),
  );
}

/** Loads `n` points in batches; returns points per second counting only the HTTP exchanges (not building the JSON). */
async function load(base: string, name: string, n: number, batch: number, seed: number): Promise<number> {
  const rand = mulberry32(seed);
  let busy = 0;
  for (let from = 0; from < n; from += batch) {
    const body = pointsJson(from, Math.min(n, from + batch), rand);
    const t = performance.now();
    await post(`${base}/collections/${name}/points?wait=true`, "PUT", body);
    busy += performance.now() - t;
  }
  return n / (busy / 1000);
}

function memoryNow(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

interface QueryRow {
  points: number;
  query: string;
  filter: boolean;
  p50: number;
  p99: number;
  reps: number;
}

async function timeQueries(
  base: string,
  name: string,
  reps: number,
  make: (i: number) => unknown,
): Promise<number[]> {
  const url = `${base}/collections/${name}/points/query`;
  for (let i = 0; i < 3; i++) await post(url, "POST", JSON.stringify(make(i)));
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const body = JSON.stringify(make(i));
    const t = performance.now();
    await post(url, "POST", body);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const started = performance.now();
  const server = await startQdrantLocal({ port: 0 });
  const base = server.url;
  const queries: QueryRow[] = [];
  const upserts: Array<{ mode: string; batch: number; points: number; pointsPerSecond: number }> = [];
  const memory: Array<{ points: number; bytesPerPoint: number; rawVectorBytes: number }> = [];
  const scans: Array<{
    points: number;
    oursP50: number;
    usearchP50: number;
    ratio: number;
    httpDenseP50: number;
    reps: number;
  }> = [];

  // Upsert throughput, in memory, by batch size.
  for (const batch of [64, 128, 256]) {
    await createCollection(base, `up${batch}`);
    upserts.push({
      mode: "memory",
      batch,
      points: 5_000,
      pointsPerSecond: round(await load(base, `up${batch}`, 5_000, batch, batch)),
    });
    await post(`${base}/collections/up${batch}`, "DELETE", "");
    console.log(upserts.at(-1));
  }
  // And through the write-ahead log (fsync per request).
  const dir = mkdtempSync(join(tmpdir(), "qdrant-local-bench-"));
  const durable = await startQdrantLocal({ port: 0, storage: dir });
  await createCollection(durable.url, "wal");
  upserts.push({
    mode: "storage (WAL, fsync)",
    batch: 256,
    points: 5_000,
    pointsPerSecond: round(await load(durable.url, "wal", 5_000, 256, 7)),
  });
  console.log(upserts.at(-1));
  await durable.close();
  rmSync(dir, { recursive: true, force: true });

  for (const n of SIZES) {
    const reps = n >= 100_000 ? 40 : 120;
    const before = memoryNow();
    await createCollection(base, "bench");
    const rate = await load(base, "bench", n, 256, 42);
    upserts.push({ mode: "memory", batch: 256, points: n, pointsPerSecond: round(rate) });
    const loaded = memoryNow();
    memory.push({ points: n, bytesPerPoint: Math.round((loaded - before) / n), rawVectorBytes: DIM * 4 });
    console.log(upserts.at(-1), memory.at(-1));

    const qrand = mulberry32(1000 + n);
    const denseQueries = Array.from({ length: 64 }, () => denseVector(qrand, DIM));
    const sparseQueries = Array.from({ length: 64 }, () => sparseVector(qrand, 6));
    const makers: Record<string, (i: number, filter: unknown) => unknown> = {
      dense: (i, filter) => ({
        query: denseQueries[i % 64],
        using: "dense",
        limit: 10,
        ...(filter ? { filter } : {}),
      }),
      sparse: (i, filter) => ({
        query: sparseQueries[i % 64],
        using: "text",
        limit: 10,
        ...(filter ? { filter } : {}),
      }),
      "hybrid rrf": (i, filter) => ({
        prefetch: [
          { query: denseQueries[i % 64], using: "dense", limit: 50 },
          { query: sparseQueries[i % 64], using: "text", limit: 50 },
        ],
        query: { fusion: "rrf" },
        limit: 10,
        ...(filter ? { filter } : {}),
      }),
    };
    for (const [label, make] of Object.entries(makers)) {
      for (const filtered of [false, true]) {
        const times = await timeQueries(base, "bench", reps, (i) => make(i, filtered ? FILTER : undefined));
        queries.push({
          points: n,
          query: label,
          filter: filtered,
          p50: round(percentile(times, 50)),
          p99: round(percentile(times, 99)),
          reps,
        });
        console.log(queries.at(-1));
      }
    }
    await post(`${base}/collections/bench`, "DELETE", "");

    // Dense exact scan, ours (WebAssembly SIMD kernel + top-k) against usearch's native exact search, same vectors.
    const rand = mulberry32(42);
    const flat = new Float32Array(n * DIM);
    const store = new DenseStore(DIM, "Cosine");
    for (let i = 0; i < n; i++) {
      const v = denseVector(rand, DIM);
      flat.set(v, i * DIM);
      store.set(i, v);
    }
    const scanReps = n >= 100_000 ? 30 : 120;
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < scanReps + 3; r++) {
      const q = Float32Array.from(denseQueries[r % 64] as number[]);
      let t = performance.now();
      store.search(store.prepareQuery(q), 10, n, undefined);
      const a = performance.now() - t;
      t = performance.now();
      usearch.exactSearch(flat, q, DIM, 10, usearch.MetricKind.IP);
      const b = performance.now() - t;
      if (r >= 3) {
        ours.push(a);
        theirs.push(b);
      }
    }
    ours.sort((a, b) => a - b);
    theirs.sort((a, b) => a - b);
    const httpDense =
      queries.find((q) => q.points === n && q.query === "dense" && !q.filter)?.p50 ?? Number.NaN;
    const oursP50 = percentile(ours, 50);
    const usearchP50 = percentile(theirs, 50);
    scans.push({
      points: n,
      oursP50: round(oursP50, 3),
      usearchP50: round(usearchP50, 3),
      ratio: round(oursP50 / usearchP50),
      httpDenseP50: httpDense,
      reps: scanReps,
    });
    console.log(scans.at(-1));
  }
  await server.close();
  const engine = process.env.BENCH_ENGINE === "0" ? [] : await benchAgainstEngine(SIZES, DIM, gc);

  const result = {
    machine: { node: process.version, cpus: (await import("node:os")).cpus().length, dims: DIM },
    seconds: round((performance.now() - started) / 1000, 1),
    queries,
    upserts,
    memory,
    scans,
    engine,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, "qdrant-local.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(OUT_DIR, "qdrant-local.md"), renderMarkdown(result));
  console.log(renderMarkdown(result));
}

function renderMarkdown(r: {
  machine: { node: string; cpus: number; dims: number };
  seconds: number;
  queries: QueryRow[];
  upserts: Array<{ mode: string; batch: number; points: number; pointsPerSecond: number }>;
  memory: Array<{ points: number; bytesPerPoint: number; rawVectorBytes: number }>;
  scans: Array<{
    points: number;
    oursP50: number;
    usearchP50: number;
    ratio: number;
    httpDenseP50: number;
    reps: number;
  }>;
  engine: EngineRow[];
}): string {
  const lines = [
    `Node ${r.machine.node}, ${r.machine.cpus} CPUs, ${r.machine.dims}-dim Cosine vectors + IDF sparse vectors (12 terms/point), run took ${r.seconds} s.`,
    "",
    "| points | query (HTTP, limit 10) | filter | p50 ms | p99 ms | reps |",
    "| ---: | --- | --- | ---: | ---: | ---: |",
    ...r.queries.map(
      (q) =>
        `| ${q.points} | ${q.query} | ${q.filter ? "category = c3 (10%)" : "none"} | ${q.p50} | ${q.p99} | ${q.reps} |`,
    ),
    "",
    "| upsert | batch | points | points/s |",
    "| --- | ---: | ---: | ---: |",
    ...r.upserts.map((u) => `| ${u.mode} | ${u.batch} | ${u.points} | ${Math.round(u.pointsPerSecond)} |`),
    "",
    "| points | bytes per point (heap + external, measured) | of which raw f32 vector |",
    "| ---: | ---: | ---: |",
    ...r.memory.map((m) => `| ${m.points} | ${m.bytesPerPoint} | ${m.rawVectorBytes} |`),
    "",
    "| points | dense exact top-10, ours (WASM SIMD + heap) p50 ms | usearch exactSearch p50 ms | ratio ours / usearch | HTTP dense query p50 ms |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...r.scans.map(
      (s) => `| ${s.points} | ${s.oursP50} | ${s.usearchP50} | ${s.ratio} | ${s.httpDenseP50} |`,
    ),
    "",
    ...(r.engine.length > 0 ? renderEngineMarkdown(r.engine) : []),
  ];
  return lines.join("\n");
}

await main();
