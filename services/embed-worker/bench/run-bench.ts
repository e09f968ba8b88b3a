/**
 * `pnpm -F embed-worker bench`: SciFact through the producer, Redis, 1 and 2 embed workers, into the Qdrant local mode,
 * with the offline model and BM25; compared with the embeddings package's own docs/s on the same texts in the same run
 * (measured before and after the pipelines, averaged, to even out a busy machine).
 * Env: BENCH_DOCS (default all 5,183), BENCH_WORKERS (default "1,2"), BENCH_BATCH (default 64), ONNX_THREADS (default 1).
 * Writes bench/results.json and the table between the bench markers of README.md (whole corpus, or BENCH_RECORD=1).
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, writeBenchSection } from "@hybrid/stack";
import { embeddedText, loadScifactCorpus, SCIFACT_CORPUS, writeCorpus } from "./corpus.js";
import { type EncoderMeasure, measureEncoder, round } from "./measure-encoder.js";
import { measurePipeline, type PipelineMeasure } from "./measure-pipeline.js";

const envInt = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const BATCH = envInt("BENCH_BATCH", 64);
const THREADS = envInt("ONNX_THREADS", 1);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? "1,2")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const MODELS = { dense: "offline/use-lite", sparse: "Qdrant/bm25" };
const here = join(repoRoot, "services", "embed-worker");
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const corpus = loadScifactCorpus(envInt("BENCH_DOCS", Number.POSITIVE_INFINITY));
const texts = corpus.map(embeddedText);
const dataDir = mkdtempSync(join(tmpdir(), "embed-bench-data-"));
// The whole corpus is read from the shared gzip file as it is; a subset is written to a temp file.
const file = corpus.length === 5183 ? SCIFACT_CORPUS : writeCorpus(dataDir, corpus);
const settings = { ...MODELS, cacheDir: join(repoRoot, ".cache", "models"), onnxThreads: THREADS };
const loadBefore = loadavg()[0] ?? 0;

try {
  log(`${corpus.length} docs, batches of ${BATCH}, ONNX threads ${THREADS}: encoder alone`);
  const encoderBefore = await measureEncoder(texts, BATCH, settings);
  log(`  ${encoderBefore.docsPerSecond} docs/s`);
  const pipelines: PipelineMeasure[] = [];
  for (const workers of WORKER_COUNTS) {
    log(`pipeline with ${workers} worker(s)`);
    const env = { DENSE_MODEL: MODELS.dense, SPARSE_MODEL: MODELS.sparse, ONNX_THREADS: String(THREADS) };
    pipelines.push(await measurePipeline({ workers, file, docs: corpus.length, batchSize: BATCH, env, log }));
    log(`  ${pipelines.at(-1)?.docsPerSecond} docs/s`);
  }
  log("encoder alone again");
  const encoderAfter = await measureEncoder(texts, BATCH, settings);
  log(`  ${encoderAfter.docsPerSecond} docs/s`);

  const baseline = (encoderBefore.docsPerSecond + encoderAfter.docsPerSecond) / 2;
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
    },
    docs: corpus.length,
    batchSize: BATCH,
    onnxThreads: THREADS,
    models: MODELS,
    encoder: { before: encoderBefore, after: encoderAfter, docsPerSecond: round(baseline) },
    pipelines: pipelines.map((p) => ({ ...p, ratioToEncoder: round(p.docsPerSecond / baseline) })),
  };
  // Only a run over the whole corpus replaces the recorded figures (a BENCH_DOCS trial run just prints).
  if (corpus.length === 5183 || process.env.BENCH_RECORD === "1") {
    writeFileSync(join(here, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeBenchSection(join(here, "README.md"), renderTable(results.encoder, results.pipelines, results));
  }
  process.stdout.write(`${renderTable(results.encoder, results.pipelines, results)}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

function renderTable(
  encoder: { before: EncoderMeasure; after: EncoderMeasure; docsPerSecond: number },
  pipelines: Array<PipelineMeasure & { ratioToEncoder: number }>,
  meta: {
    docs: number;
    batchSize: number;
    onnxThreads: number;
    date: string;
    machine: { cpus: number; cpuModel: string; loadAverage1m: { before: number; after: number } };
  },
): string {
  const rows = [
    "| setup | docs/s | ratio to encoder | submit → first point (s) | total (s) | peak RSS per worker (MiB) | max event-loop delay (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| encoder alone, before | ${encoder.before.docsPerSecond} | 1 | | ${encoder.before.seconds} | | ${encoder.before.eventLoop.maxMs} |`,
    `| encoder alone, after | ${encoder.after.docsPerSecond} | 1 | | ${encoder.after.seconds} | | ${encoder.after.eventLoop.maxMs} |`,
    ...pipelines.map(
      (p) =>
        `| producer → Redis → ${p.workers} worker${p.workers > 1 ? "s" : ""} → local mode | ${p.docsPerSecond} | ` +
        `${p.ratioToEncoder} | ${p.firstPointSeconds} | ${p.seconds} | ${p.peakRssMiB.join(", ")} | ${p.eventLoopMaxMs.join(", ")} |`,
    ),
  ];
  const note =
    `SciFact, ${meta.docs} docs, batches of ${meta.batchSize}, offline/use-lite + Qdrant/bm25, ONNX threads ${meta.onnxThreads}; ` +
    `${meta.machine.cpus} CPUs (${meta.machine.cpuModel}), load average ${meta.machine.loadAverage1m.before} → ` +
    `${meta.machine.loadAverage1m.after}; ${meta.date}. Ratio = pipeline docs/s ÷ mean encoder docs/s.`;
  return `${rows.join("\n")}\n\n${note}`;
}
