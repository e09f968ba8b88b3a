import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { createEncoder } from "@hybrid/embeddings";
import { writeBenchSection } from "@hybrid/stack";
import {
  buildQueryBody,
  createQdrantConnection,
  ensureCollection,
  pointId,
  serializeQueryBody,
  upsertPoints,
} from "@hybrid/store";
import { createSearchSchemas } from "../src/search-schemas.js";
import { type RunningChild, spawnNodeUntil } from "../test/support/child.js";
import { MODEL_CACHE_DIR, MODELS, REPO_ROOT, SERVICE_DIR } from "../test/support/paths.js";
import { combineRuns, type LoadResult, percentiles, round, rssMiB, runLoad, sampleRss } from "./load.js";
import { formatReport } from "./report.js";
import { passageVectors, readScifactPassages, readScifactQueries } from "./scifact-points.js";

// Query API bench: 10k SciFact passages in the Qdrant local mode (a child process), the service (a child process),
// autocannon in this process. Compares POST /v1/search (hybrid) with the bare Qdrant query the service makes.

const POINTS = Number(process.env.BENCH_POINTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 3);
const DURATION_S = ROUNDS * ROUND_S;
const CONCURRENCY = [1, 8, 32];
const COLLECTION = "scifact_bench";
const LIMIT = 10;

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const children: RunningChild[] = [];

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const qdrant = await startChild(
    [
      "--import",
      "tsx",
      resolve(REPO_ROOT, "packages/qdrant-local/src/main.ts"),
      "--port",
      "0",
      "--log-level",
      "info",
    ],
    resolve(REPO_ROOT, "packages/qdrant-local"),
    {},
    (line) => (typeof line.url === "string" ? line.url : undefined),
  );
  const qdrantUrl = qdrant.value;
  log(`qdrant-local at ${qdrantUrl}`);

  const encoder = await createEncoder({
    ...MODELS,
    cacheDir: MODEL_CACHE_DIR,
    onnxThreads: 0,
    queryCacheSize: 0,
  });
  const passages = await readScifactPassages(POINTS);
  const { vectors, cached, embedSeconds } = await passageVectors(encoder, passages, log);
  log(
    `${passages.length} passages ${cached ? "read from the vector cache" : `embedded in ${round(embedSeconds, 1)} s`}`,
  );
  const client = createQdrantConnection({ url: qdrantUrl, timeoutMs: 120_000 });
  await ensureCollection(client, COLLECTION, {
    dense: encoder.dense.model,
    denseDim: encoder.dense.dim,
    distance: "Cosine",
    sparse: encoder.sparse.model,
    sparseModifier: encoder.sparse.modifier,
  });
  for (let i = 0; i < passages.length; i += 500) {
    await upsertPoints(
      client,
      COLLECTION,
      passages.slice(i, i + 500).map((p, j) => {
        const v = vectors[i + j] ?? { dense: [], sparse: { indices: [], values: [] } };
        return { id: pointId(COLLECTION, p.key, 0), dense: v.dense, sparse: v.sparse, payload: p.payload };
      }),
    );
  }
  await client.close();
  log(`upserted ${passages.length} points`);

  const queries = await readScifactQueries();
  const { SearchRequest } = createSearchSchemas({ maxLimit: 100 });
  const serviceBodies = queries.map((query) => JSON.stringify({ query, limit: LIMIT }));
  const bareBodies: string[] = [];
  for (const query of queries) {
    const request = SearchRequest.parse({ query, limit: LIMIT });
    bareBodies.push(serializeQueryBody(buildQueryBody(request, await encoder.encodeQuery(query))));
  }
  await encoder.close();
  const barePath = `/collections/${COLLECTION}/points/query`;

  // Cache warm: every query embedded once before the measured runs.
  const warm = await startService(qdrantUrl, 1024);
  for (const body of serviceBodies) await post(warm.url, "/v1/search", body);
  const rssAtRest = rssMiB(warm.pid);
  // c = 1, interleaved request by request (bare, service, bare, ...) and timed here at 0.01 ms resolution:
  // both targets see the same moment-to-moment load; autocannon's histogram has 1 ms steps.
  const seqBare: number[] = [];
  const seqService: number[] = [];
  for (let i = 0; i < 2 * serviceBodies.length; i++) {
    const j = i % serviceBodies.length;
    let t = performance.now();
    await post(qdrantUrl, barePath, bareBodies[j] ?? "");
    seqBare.push(performance.now() - t);
    t = performance.now();
    await post(warm.url, "/v1/search", serviceBodies[j] ?? "");
    seqService.push(performance.now() - t);
  }
  const sequential = {
    requestsEach: seqBare.length,
    bare: percentiles(seqBare),
    service: percentiles(seqService),
  };
  log(`interleaved c=1: bare p50 ${sequential.bare.p50Ms} ms, service p50 ${sequential.service.p50Ms} ms`);

  const runs: Array<{ c: number; bare: LoadResult; service: LoadResult; servicePeakRssMiB: number }> = [];
  for (const c of CONCURRENCY) {
    await runLoad({ url: qdrantUrl, path: barePath, bodies: bareBodies, connections: c, durationS: 1 });
    await runLoad({ url: warm.url, path: "/v1/search", bodies: serviceBodies, connections: c, durationS: 1 });
    const bareRuns: LoadResult[] = [];
    const serviceRuns: LoadResult[] = [];
    let servicePeakRssMiB = 0;
    for (let round = 0; round < ROUNDS; round++) {
      bareRuns.push(
        await runLoad({
          url: qdrantUrl,
          path: barePath,
          bodies: bareBodies,
          connections: c,
          durationS: ROUND_S,
        }),
      );
      const sampler = sampleRss(warm.pid);
      serviceRuns.push(
        await runLoad({
          url: warm.url,
          path: "/v1/search",
          bodies: serviceBodies,
          connections: c,
          durationS: ROUND_S,
        }),
      );
      servicePeakRssMiB = Math.max(servicePeakRssMiB, sampler.stop());
    }
    const bare = combineRuns(bareRuns);
    const service = combineRuns(serviceRuns);
    log(
      `c=${c}: bare p50 ${bare.p50Ms} ms ${bare.rps} req/s; service p50 ${service.p50Ms} ms ${service.rps} req/s`,
    );
    runs.push({ c, bare, service, servicePeakRssMiB });
  }
  const rssAfterLoad = rssMiB(warm.pid);
  await warm.child.stop();

  // Cache off: every request embeds its query; the service's own timings give the embedding's share.
  const cold = await startService(qdrantUrl, 0);
  let embedMs = 0;
  let totalMs = 0;
  let clientMs = 0;
  for (const body of serviceBodies) {
    const started = performance.now();
    const answer = (await post(cold.url, "/v1/search", body)) as {
      timings: { embedMs: number; totalMs: number };
    };
    clientMs += performance.now() - started;
    embedMs += answer.timings.embedMs;
    totalMs += answer.timings.totalMs;
  }
  const coldLoad = await runLoad({
    url: cold.url,
    path: "/v1/search",
    bodies: serviceBodies,
    connections: 1,
    durationS: DURATION_S,
  });
  await cold.child.stop();

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      loadAvg1mBefore: round(loadBefore),
      loadAvg1mAfter: round(loadavg()[0] ?? 0),
      node: process.version,
    },
    setup: {
      points: passages.length,
      vectors: cached
        ? "precomputed by the real encoder (read from .cache/bench)"
        : "embedded by the real encoder in this run",
      models: MODELS,
      queries: queries.length,
      limit: LIMIT,
      mode: "hybrid, RRF k=2, prefetch 50 per vector",
      durationS: DURATION_S,
      rounds: `${ROUNDS} alternating runs of ${ROUND_S} s per target and concurrency`,
    },
    interleavedC1: {
      ...sequential,
      ratioP50: round(sequential.service.p50Ms / sequential.bare.p50Ms),
      ratioMean: round(sequential.service.meanMs / sequential.bare.meanMs),
    },
    cacheWarm: runs.map(({ c, bare, service, servicePeakRssMiB }) => ({
      concurrency: c,
      service,
      bare,
      ratioP50: round(service.p50Ms / bare.p50Ms),
      ratioMean: round(service.meanMs / bare.meanMs),
      servicePeakRssMiB,
    })),
    cacheOff: {
      sequentialQueries: serviceBodies.length,
      embedShareOfServiceTime: round(embedMs / totalMs, 3),
      embedShareOfClientLatency: round(embedMs / clientMs, 3),
      meanEmbedMs: round(embedMs / serviceBodies.length),
      meanClientMs: round(clientMs / serviceBodies.length),
      load: coldLoad,
    },
    memory: {
      serviceRssAtRestMiB: rssAtRest,
      servicePeakRssUnderLoadMiB: Math.max(...runs.map((r) => r.servicePeakRssMiB)),
      serviceRssAfterLoadMiB: rssAfterLoad,
    },
  };
  await writeFile(resolve(SERVICE_DIR, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeBenchSection(resolve(SERVICE_DIR, "README.md"), formatReport(results));
  log("wrote bench/results.json and the README table");
  process.stdout.write(`${formatReport(results)}\n`);
}

async function startService(qdrantUrl: string, cacheSize: number) {
  const { child, value: port } = await startChild(
    ["--import", "tsx", "src/main.ts"],
    SERVICE_DIR,
    {
      PORT: "0",
      HOST: "127.0.0.1",
      QDRANT_URL: qdrantUrl,
      DEFAULT_COLLECTION: COLLECTION,
      EMBED_CACHE_SIZE: String(cacheSize),
      MODEL_CACHE_DIR,
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
    },
    (line) => (line.msg === "query API listening" && typeof line.port === "number" ? line.port : undefined),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while ((await fetch(`${url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`service not ready:\n${child.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, pid: child.process.pid ?? 0 };
}

async function startChild<T>(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  match: (line: Record<string, unknown>) => T | undefined,
) {
  const started = await spawnNodeUntil({ args, cwd, env, match, timeoutMs: 120_000 });
  children.push(started.child);
  return started;
}

async function post(url: string, path: string, body: string): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

try {
  await main();
} finally {
  await Promise.all(children.map((c) => c.stop("SIGKILL")));
}
