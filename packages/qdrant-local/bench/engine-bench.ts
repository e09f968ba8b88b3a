import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";
import { startQdrantLocal } from "../src/index.js";
import { ensureOracleVenv } from "../test/oracle/python-env.js";
import { denseVector, mulberry32, payloadOf, sparseVector } from "./data.js";

// The local mode against Qdrant's engine (qdrant-edge-py, the oracle's pinned version) on the same points and queries:
// upserts per second, hybrid RRF query p50/p99 and memory per point. The local mode is measured over loopback HTTP
// (how every caller uses it), Edge by in-process calls (it has no server), so Edge's figures exclude HTTP and JSON.

const run = promisify(execFile);
const EDGE_BENCH = fileURLToPath(new URL("../test/oracle/edge_bench.py", import.meta.url));
const BATCH = 256;
const QUERIES = 100;

const EdgeResult = z.object({
  points: z.number(),
  upsertsPerSecond: z.number(),
  hybridP50: z.number(),
  hybridP99: z.number(),
  rssBytesPerPoint: z.number(),
  diskBytesPerPoint: z.number(),
  tops: z.array(z.array(z.number())),
});

export interface EngineRow {
  points: number;
  local: {
    upsertsPerSecond: number;
    hybridP50: number;
    hybridP99: number;
    heapBytesPerPoint: number;
    rssBytesPerPoint: number;
  };
  edge: {
    upsertsPerSecond: number;
    hybridP50: number;
    hybridP99: number;
    rssBytesPerPoint: number;
    diskBytesPerPoint: number;
  };
  /** Share of queries whose top-10 id sets are the same in both (RRF ties at the cut may differ). */
  sameTop10: number;
}

interface Data {
  points: Array<{
    id: number;
    vector: { dense: number[]; text: { indices: number[]; values: number[] } };
    payload: Record<string, unknown>;
  }>;
  queries: Array<{ dense: number[]; sparse: { indices: number[]; values: number[] } }>;
}

function makeData(n: number, dim: number): Data {
  const rand = mulberry32(42);
  const points = Array.from({ length: n }, (_, id) => ({
    id,
    vector: { dense: denseVector(rand, dim), text: sparseVector(rand, 12) },
    payload: payloadOf(id),
  }));
  const qrand = mulberry32(7 + n);
  const queries = Array.from({ length: QUERIES }, () => ({
    dense: denseVector(qrand, dim),
    sparse: sparseVector(qrand, 6),
  }));
  return { points, queries };
}

function writeData(dir: string, data: Data, dim: number): void {
  const dense = new Float32Array(data.points.length * dim);
  for (const [i, p] of data.points.entries()) dense.set(p.vector.dense, i * dim);
  writeFileSync(join(dir, "dense.f32"), new Uint8Array(dense.buffer));
  writeFileSync(
    join(dir, "rows.jsonl"),
    data.points.map((p) => JSON.stringify({ sparse: p.vector.text, payload: p.payload })).join("\n"),
  );
  writeFileSync(join(dir, "queries.json"), JSON.stringify(data.queries));
}

function memory(gc: (() => void) | undefined): { heap: number; rss: number } {
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

async function send(url: string, method: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { result?: unknown };
  if (response.status !== 200)
    throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json.result;
}

async function benchLocal(data: Data, dim: number, gc: (() => void) | undefined) {
  const server = await startQdrantLocal({ port: 0 });
  const base = `${server.url}/collections/engine`;
  await send(base, "PUT", {
    vectors: { dense: { size: dim, distance: "Cosine" } },
    sparse_vectors: { text: { modifier: "idf" } },
  });
  await send(`${base}/index?wait=true`, "PUT", { field_name: "category", field_schema: "keyword" });
  const before = memory(gc);
  let busy = 0;
  for (let from = 0; from < data.points.length; from += BATCH) {
    const body = JSON.stringify({ points: data.points.slice(from, from + BATCH) });
    const t = performance.now();
    const response = await fetch(`${base}/points?wait=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body,
    });
    await response.text();
    busy += performance.now() - t;
  }
  const after = memory(gc);
  const hybrid = (q: Data["queries"][number]) => ({
    prefetch: [
      { query: q.dense, using: "dense", limit: 50 },
      { query: q.sparse, using: "text", limit: 50 },
    ],
    query: { fusion: "rrf" },
    limit: 10,
  });
  for (const q of data.queries.slice(0, 3)) await send(`${base}/points/query`, "POST", hybrid(q));
  const times: number[] = [];
  const tops: number[][] = [];
  for (const q of data.queries) {
    const t = performance.now();
    const result = z
      .object({ points: z.array(z.object({ id: z.number() })) })
      .parse(await send(`${base}/points/query`, "POST", hybrid(q)));
    times.push(performance.now() - t);
    tops.push(result.points.map((p) => p.id));
  }
  await server.close();
  times.sort((a, b) => a - b);
  const n = data.points.length;
  return {
    upsertsPerSecond: n / (busy / 1000),
    hybridP50: times[Math.floor(times.length / 2)] as number,
    hybridP99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] as number,
    heapBytesPerPoint: (after.heap - before.heap) / n,
    rssBytesPerPoint: (after.rss - before.rss) / n,
    tops,
  };
}

/** Both engines on the same `n` points (384-dim Cosine + 12-term IDF sparse + payload), one size at a time. */
export async function benchAgainstEngine(
  sizes: number[],
  dim: number,
  gc: (() => void) | undefined,
): Promise<EngineRow[]> {
  const python = await ensureOracleVenv();
  const rows: EngineRow[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "engine-bench-"));
    try {
      const data = makeData(n, dim);
      writeData(dir, data, dim);
      const local = await benchLocal(data, dim, gc);
      const { stdout } = await run(python, [EDGE_BENCH, dir, String(dim), String(BATCH)], {
        maxBuffer: 64 * 1024 * 1024,
      });
      const edge = EdgeResult.parse(JSON.parse(stdout));
      const same = local.tops.filter((top, i) => {
        const other = new Set(edge.tops[i]);
        return top.length === other.size && top.every((id) => other.has(id));
      }).length;
      const r = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
      rows.push({
        points: n,
        local: {
          upsertsPerSecond: Math.round(local.upsertsPerSecond),
          hybridP50: r(local.hybridP50),
          hybridP99: r(local.hybridP99),
          heapBytesPerPoint: Math.round(local.heapBytesPerPoint),
          rssBytesPerPoint: Math.round(local.rssBytesPerPoint),
        },
        edge: {
          upsertsPerSecond: Math.round(edge.upsertsPerSecond),
          hybridP50: r(edge.hybridP50),
          hybridP99: r(edge.hybridP99),
          rssBytesPerPoint: Math.round(edge.rssBytesPerPoint),
          diskBytesPerPoint: Math.round(edge.diskBytesPerPoint),
        },
        sameTop10: r(same / data.queries.length),
      });
      console.log(rows.at(-1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function renderEngineMarkdown(rows: EngineRow[]): string[] {
  return [
    "Local mode (over loopback HTTP) against Qdrant's engine (qdrant-edge-py, in-process calls), same points and queries, batches of 256, hybrid = RRF of dense and sparse top-50, limit 10:",
    "",
    "| points | upserts/s local | upserts/s Edge | hybrid p50 ms local | hybrid p50 ms Edge | hybrid p99 ms local | hybrid p99 ms Edge | bytes/point local (heap+external) | bytes/point local (RSS) | bytes/point Edge (RSS) | bytes/point Edge (disk) | same top-10 |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (x) =>
        `| ${x.points} | ${x.local.upsertsPerSecond} | ${x.edge.upsertsPerSecond} | ${x.local.hybridP50} | ${x.edge.hybridP50} | ${x.local.hybridP99} | ${x.edge.hybridP99} | ${x.local.heapBytesPerPoint} | ${x.local.rssBytesPerPoint} | ${x.edge.rssBytesPerPoint} | ${x.edge.diskBytesPerPoint} | ${x.sameTop10} |`,
    ),
    "",
  ];
}
