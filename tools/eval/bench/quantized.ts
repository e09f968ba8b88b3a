/**
 * `pnpm -F @hybrid/eval bench`: what the int8 MiniLM buys and costs, in one run. Both models embed the whole
 * SciFact corpus (title + text, as `pnpm eval` does) in alternating chunks, so each sees the same machine load; docs
 * per second and per CPU-second per model; then dense-only retrieval (exact cosine over all documents, top 100)
 * scored with this tool's trec_eval-style metrics. Writes bench-results/quantized.{json,md}.
 * BENCH_DATASET (default ../shared/datasets/scifact), BENCH_CHUNK (256), BENCH_THREADS (ONNX threads, 1).
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createDenseEncoder, type DenseEncoder, MINILM_INT8_MODEL, MINILM_MODEL } from "@hybrid/embeddings";
import { readBeirDataset, readCorpus } from "../src/beir.js";
import { evaluateRun, type ScoredDoc } from "../src/metrics.js";
import { repoPath, repoRoot } from "../src/paths.js";

const DATASET = process.env.BENCH_DATASET ?? repoPath("../shared/datasets/scifact");
const CHUNK = Number(process.env.BENCH_CHUNK ?? 256);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const MODELS = [MINILM_MODEL, MINILM_INT8_MODEL] as const;

/** CPU seconds of this process and its live children (the ONNX runners), from /proc. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const pids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
      .trim()
      .split(/\s+/);
    for (const pid of pids.filter(Boolean)) {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      children += (Number(fields[11]) + Number(fields[12])) / 100;
    }
  } catch {
    // not Linux: own CPU only
  }
  return (own.user + own.system) / 1e6 + children;
}

function topByCosine(query: number[], docs: number[][], ids: string[], k: number): ScoredDoc[] {
  const scored = docs.map((d, i) => {
    let dot = 0;
    for (let j = 0; j < d.length; j++) dot += (d[j] ?? 0) * (query[j] ?? 0);
    return { id: ids[i] ?? "", score: dot };
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, k);
}

async function main() {
  const dataset = await readBeirDataset(DATASET);
  const ids: string[] = [];
  const texts: string[] = [];
  for await (const row of readCorpus(dataset.corpusPath)) {
    ids.push(row.id);
    texts.push(`${row.title} ${row.text}`.trim());
  }
  const cacheDir = join(repoRoot(), ".cache", "models");
  const encoders = new Map<string, DenseEncoder>();
  for (const model of MODELS)
    encoders.set(model, await createDenseEncoder({ model, cacheDir, onnxThreads: THREADS }));
  const vectors = new Map<string, number[][]>(MODELS.map((m) => [m, []]));
  const wall = new Map<string, number>(MODELS.map((m) => [m, 0]));
  const cpu = new Map<string, number>(MODELS.map((m) => [m, 0]));
  for (let start = 0; start < texts.length; start += CHUNK) {
    const chunk = texts.slice(start, start + CHUNK);
    // Alternate which model goes first, so neither always runs right after the other's thread pool.
    const order = (start / CHUNK) % 2 === 0 ? MODELS : [...MODELS].reverse();
    for (const model of order) {
      const encoder = encoders.get(model);
      if (!encoder) continue;
      const cpu0 = cpuSeconds();
      const t0 = process.hrtime.bigint();
      vectors.get(model)?.push(...(await encoder.embedDocuments(chunk)));
      wall.set(model, (wall.get(model) ?? 0) + Number(process.hrtime.bigint() - t0) / 1e9);
      cpu.set(model, (cpu.get(model) ?? 0) + cpuSeconds() - cpu0);
    }
    process.stderr.write(`\r${Math.min(start + CHUNK, texts.length)}/${texts.length} documents`);
  }
  process.stderr.write("\n");
  const rows = [];
  for (const model of MODELS) {
    const encoder = encoders.get(model);
    const docs = vectors.get(model) ?? [];
    const run = new Map<string, ScoredDoc[]>();
    for (const [qid, text] of dataset.queries) {
      if (!dataset.qrels.has(qid) || !encoder) continue;
      run.set(qid, topByCosine(await encoder.embedQuery(text), docs, ids, 100));
    }
    const scores = evaluateRun(run, dataset.qrels).mean;
    rows.push({
      model,
      docs: texts.length,
      docsPerS: Math.round((texts.length / (wall.get(model) ?? 1)) * 10) / 10,
      docsPerCpuS: Math.round((texts.length / (cpu.get(model) ?? 1)) * 10) / 10,
      ndcg10: Math.round(scores["ndcg@10"] * 10000) / 10000,
      recall100: Math.round(scores["recall@100"] * 10000) / 10000,
    });
  }
  await Promise.all([...encoders.values()].map((e) => e.close()));
  const [fp32, int8] = rows;
  const result = {
    date: new Date().toISOString(),
    dataset: DATASET.split("/").pop(),
    cpus: cpus().length,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    onnxThreads: THREADS,
    rows,
    int8OverFp32:
      fp32 && int8
        ? {
            docsPerS: Math.round((int8.docsPerS / fp32.docsPerS) * 100) / 100,
            docsPerCpuS: Math.round((int8.docsPerCpuS / fp32.docsPerCpuS) * 100) / 100,
            ndcg10Delta: Math.round((int8.ndcg10 - fp32.ndcg10) * 10000) / 10000,
          }
        : undefined,
  };
  const md = [
    `${result.dataset}, ${texts.length} documents, dense retrieval only (exact cosine), ONNX threads ${THREADS}; ` +
      `${result.cpus} CPUs shared, load average ${result.loadAverage}; ${result.date}.`,
    "",
    "| model | docs/s | docs per CPU-second | nDCG@10 | Recall@100 |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) => `| \`${r.model}\` | ${r.docsPerS} | ${r.docsPerCpuS} | ${r.ndcg10} | ${r.recall100} |`,
    ),
    "",
    result.int8OverFp32
      ? `int8 / fp32: ${result.int8OverFp32.docsPerS}x docs/s, ${result.int8OverFp32.docsPerCpuS}x per CPU-second, nDCG@10 ${result.int8OverFp32.ndcg10Delta >= 0 ? "+" : ""}${result.int8OverFp32.ndcg10Delta}.`
      : "",
    "",
  ].join("\n");
  const outDir = join(repoRoot(), "tools", "eval", "bench-results");
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "quantized.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, "quantized.md"), md);
  console.log(md);
}

await main();
