/**
 * `pnpm -F @hybrid/peer bench`: Qdrant's first hybrid-search tutorial (qdrant-client's `upload_collection(...,
 * parallel=N)` with fastembed, and its FastAPI service) beside this system, on the same store, rows and models.
 * Env: PEER_PROCESSES (embedding processes a side, default 2), PEER_SCIFACT_DOCS (default 1000, `all` = 5,183),
 * PEER_ROUND_S (default 5), PEER_ROUNDS (default 2). Writes results/results.json, results/results.md and the table
 * between the bench markers of README.md when run with the default sizes or PEER_RECORD=1.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BM25_MODEL, MINILM_MODEL } from "@hybrid/embeddings";
import { freePort, killAllSync, repoRoot, startQdrantLocalChild, writeBenchSection } from "@hybrid/stack";
import { scifactDataset, scifactQueries, startupsDataset } from "./datasets.js";
import { round } from "./ingest-measure.js";
import { prepareTutorialModels } from "./model-dirs.js";
import { dataDirOf, ingestOurs, startOurStack } from "./our-stack.js";
import { meterGroups } from "./proc-stats.js";
import { ensurePeerVenv, pythonVersions } from "./python-env.js";
import { type PeerResults, renderReport } from "./report.js";
import { compareAnswers, runSearchLoad, type Targets } from "./search-compare.js";
import { loadRound } from "./search-load.js";
import { ingestTutorial } from "./tutorial-ingest.js";
import { startTutorialService } from "./tutorial-service.js";
import { checkVectors } from "./vector-check.js";

const HERE = join(repoRoot, "tools", "peer");
const log = (line: string) => process.stderr.write(`[peer] ${line}\n`);
const envInt = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const PROCESSES = envInt("PEER_PROCESSES", 2);
const SCIFACT_DOCS = process.env.PEER_SCIFACT_DOCS === "all" ? 5183 : envInt("PEER_SCIFACT_DOCS", 1000);
const ROUND_S = envInt("PEER_ROUND_S", 5);
const ROUNDS = envInt("PEER_ROUNDS", 2);
const RECORD = process.env.PEER_RECORD === "1" || process.env.PEER_SCIFACT_DOCS === undefined;
const VECTOR_CHECK_TEXTS = 48;
const AGREEMENT_QUERIES = 50;

process.once("SIGINT", () => {
  killAllSync();
  process.exit(130);
});

const loadBefore = loadavg()[0] ?? 0;
const tmp = mkdtempSync(join(tmpdir(), "peer-bench-"));
try {
  const python = await ensurePeerVenv(log);
  const versions = await pythonVersions(python);
  const models = await prepareTutorialModels();
  const startups = startupsDataset();
  const scifact = scifactDataset(SCIFACT_DOCS, tmp);
  const queries = scifactQueries();

  log("vector check: fastembed (the tutorial's options) against ours on the same texts");
  const vectors = await checkVectors({
    python,
    models,
    documents: [
      ...scifact.texts.slice(0, VECTOR_CHECK_TEXTS),
      ...startups.texts.filter((t) => t.trim()).slice(0, VECTOR_CHECK_TEXTS),
    ],
    queries: queries.slice(0, VECTOR_CHECK_TEXTS),
  });
  log(`  ${JSON.stringify(vectors)}`);

  const qdrant = await startQdrantLocalChild({ port: await freePort(), name: "peer-qdrant" });
  const stack = await startOurStack({
    workers: PROCESSES,
    qdrantUrl: qdrant.url,
    dataDirs: [...new Set([startups.file, scifact.file].map(dataDirOf))],
    dir: join(tmp, "redis"),
    env: {
      DENSE_MODEL: MINILM_MODEL,
      SPARSE_MODEL: BM25_MODEL,
      MODEL_CACHE_DIR: models.cacheDir,
      // The tutorial's service embeds every query: so does ours here.
      EMBED_CACHE_SIZE: "0",
    },
    log,
  }).catch(async (error: unknown) => {
    await qdrant.process.stop(10_000);
    throw error;
  });
  const stamp = Date.now().toString(36);
  const collection = (side: string, name: string) => `peer-${side}-${name}-${stamp}`;
  try {
    const ingest: PeerResults["ingest"] = [];
    for (const dataset of [startups, scifact]) {
      log(`${dataset.name}, ${dataset.rows} rows: the tutorial's upload_collection(parallel=${PROCESSES})`);
      const tutorial = await ingestTutorial({
        python,
        qdrantUrl: qdrant.url,
        storeGroup: qdrant.process.pid,
        dataset,
        collection: collection("tutorial", dataset.name),
        parallel: PROCESSES,
        models,
        log,
      });
      log(`  ${JSON.stringify(tutorial)}`);
      log(`${dataset.name}: ours (producer, Redis, ${PROCESSES} workers)`);
      const ours = await ingestOurs(
        stack,
        {
          qdrantUrl: qdrant.url,
          storeGroup: qdrant.process.pid,
          dataset,
          collection: collection("ours", dataset.name),
        },
        log,
      );
      log(`  ${JSON.stringify(ours)}`);
      ingest.push({ ours, tutorial });
    }

    log("search: the tutorial's FastAPI service against our query API, SciFact collections");
    const service = await startTutorialService({
      python,
      qdrantUrl: qdrant.url,
      collection: collection("tutorial", "scifact"),
      models,
    });
    try {
      const targets: Targets = {
        ours: {
          url: stack.queryUrl,
          paths: queries.map(
            (q) =>
              `/api/search?q=${encodeURIComponent(q)}&collection=${encodeURIComponent(collection("ours", "scifact"))}`,
          ),
        },
        tutorial: { url: service.url, paths: queries.map((q) => `/api/search?q=${encodeURIComponent(q)}`) },
      };
      const agreement = await compareAnswers(targets, AGREEMENT_QUERIES);
      log(`  agreement ${JSON.stringify(agreement)}`);
      const oursMeter = meterGroups([stack.queryGroup]);
      const tutorialMeter = meterGroups([service.process.pid]);
      const search = await runSearchLoad(targets, {
        concurrency: [1, 8, 32],
        rounds: ROUNDS,
        roundSeconds: ROUND_S,
        log,
      });
      const oursUsage = oursMeter.stop();
      const tutorialUsage = tutorialMeter.stop();
      const asWritten = await asWrittenFailures(
        python,
        qdrant.url,
        collection("tutorial", "scifact"),
        models,
        targets,
      );
      log(`  the service as written, 8 connections: ${JSON.stringify(asWritten)}`);
      const requests = (side: "ours" | "tutorial") =>
        search.rows.reduce((sum, s) => sum + s[side].requests, 0) + search.warmupRequests[side];
      const results: PeerResults = {
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? "unknown",
          node: process.version,
          loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
        },
        versions,
        setup: {
          processes: PROCESSES,
          scifactDocs: scifact.rows,
          startupsRows: startups.rows,
          queries: queries.length,
          limit: 5,
          prefetchLimit: 50,
          roundSeconds: ROUND_S,
          rounds: ROUNDS,
        },
        vectors,
        ingest,
        search: search.rows,
        agreement,
        asWritten,
        services: {
          ours: {
            cpuMsPerRequest: round((oursUsage.cpuSeconds * 1000) / requests("ours")),
            peakRssMiB: Math.round(oursUsage.peakRssBytes / 2 ** 20),
          },
          tutorial: {
            cpuMsPerRequest: round((tutorialUsage.cpuSeconds * 1000) / requests("tutorial")),
            peakRssMiB: Math.round(tutorialUsage.peakRssBytes / 2 ** 20),
          },
        },
      };
      const report = renderReport(results);
      if (RECORD) {
        writeFileSync(join(HERE, "results", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
        writeFileSync(join(HERE, "results", "results.md"), `${report}\n`);
        writeBenchSection(join(HERE, "README.md"), report);
        log("wrote results/results.json, results/results.md and the README table");
      }
      process.stdout.write(`${report}\n`);
    } finally {
      await service.process.stop(10_000);
    }
  } finally {
    await stack.stop();
    await qdrant.process.stop(10_000);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** The tutorial's service without the bench's lock, 8 connections for 3 s: how many searches fail. */
async function asWrittenFailures(
  python: string,
  qdrantUrl: string,
  collectionName: string,
  models: Awaited<ReturnType<typeof prepareTutorialModels>>,
  targets: Targets,
): Promise<PeerResults["asWritten"]> {
  const service = await startTutorialService({
    python,
    qdrantUrl,
    collection: collectionName,
    models,
    asWritten: true,
  });
  try {
    const { latenciesMs, errors } = await loadRound(service.url, targets.tutorial.paths, 8, 3);
    return { connections: 8, requests: latenciesMs.length + errors, failed: errors };
  } finally {
    await service.process.stop(10_000);
  }
}
